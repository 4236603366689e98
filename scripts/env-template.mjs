// The env-file template (every setting, commented), generated from the config table so the two
// never drift apart. Used by the tarball build and printed by `node scripts/env-template.mjs`.
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;

export function envTemplate() {
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-env-'));
  try {
    const out = join(dir, 'table.cjs');
    buildSync({ entryPoints: [join(root, 'src/config/table.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
    const { SETTINGS } = createRequire(import.meta.url)(out);
    const lines = ['# subsetd settings (systemd EnvironmentFile syntax). Uncomment to change a default.', '# `subsetd config --env-file /etc/subsetd/subsetd.env` shows the effective values.', ''];
    for (const s of Object.values(SETTINGS)) {
      lines.push(`# ${s.doc}`);
      const def = typeof s.default === 'function' ? '' : (s.default ?? '');
      lines.push(`#${s.key}=${def}`, '');
    }
    return lines.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(envTemplate());
