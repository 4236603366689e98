// Tests that start the service run the bundle exactly as shipped: build it once per run.
import { execFileSync } from 'node:child_process';

export default function setup() {
  if (process.env.SUBSETD_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
}
