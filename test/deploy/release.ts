/**
 * The release as a user gets it: `npm run build` (skipped inside the script when its inputs are
 * unchanged: build key over the bundles, launcher and release files), the tarball unpacked into an
 * empty directory, and an environment whose PATH has no node and no node_modules anywhere near.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../helpers/service.js';

export const VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
export const TARBALL = join(ROOT, `dist/subsetd-${VERSION}-linux-x64.tar.gz`);

export interface Release {
  /** Temporary directory holding everything below; removed by the caller. */
  work: string;
  /** The unpacked tarball (subsetd, systemd/, scripts/install.sh, …). */
  app: string;
  exe: string;
  /** Base environment of a host without node: PATH is an empty directory. */
  env: Record<string, string>;
}

export function buildRelease(): void {
  // Heavy (postject copies 100 MB): serialised with the other engineers' heavy jobs.
  execFileSync('flock', ['/tmp/subsetd-heavy.lock', process.execPath, join(ROOT, 'scripts/build-sea.mjs')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

export function unpackRelease(): Release {
  buildRelease();
  const work = mkdtempSync(join(tmpdir(), 'subsetd-deploy-'));
  execFileSync('tar', ['-xzf', TARBALL, '-C', work]);
  const app = join(work, `subsetd-${VERSION}-linux-x64`);
  const emptyBin = join(work, 'empty-bin');
  mkdirSync(emptyBin);
  return { work, app, exe: join(app, 'subsetd'), env: { PATH: emptyBin, HOME: join(work, 'home'), SUBSETD_CACHE_DIR: join(work, 'cache') } };
}
