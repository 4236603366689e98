// The env-file template (every setting, commented), generated from the config table so the two
// never drift apart. Used by the tarball build and printed by `node scripts/env-template.mjs`.
// Defaults shown are those of the packaged service: the unit's Environment= line overrides some
// of the table's (which are made for running from a checkout).
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;

// Defaults the table computes on the build machine; the template names the rule instead.
const COMPUTED = {
  SUBSETD_WORKERS: 'number of CPU cores',
  SUBSETD_RESULTS_DIR: '$SUBSETD_STATE_DIR/results',
  SUBSETD_TS_CACHE_DIR: '$SUBSETD_STATE_DIR/ts-cache',
  SUBSETD_MAX_QUEUED: '100 with SUBSETD_AUTH=tokens, 0 (no limit) with off',
  SUBSETD_MAX_JOBS_PER_HOUR: '1000 with SUBSETD_AUTH=tokens, 0 (no limit) with off',
  SUBSETD_MAX_FILES_PER_JOB: '32 with SUBSETD_AUTH=tokens, 0 (no limit) with off',
  SUBSETD_MAX_UPLOAD_BYTES: '100MB with SUBSETD_AUTH=tokens, 0 (no limit) with off',
};

/** KEY=value pairs of the unit's Environment= lines. */
export function unitEnvironment(unitText = readFileSync(join(root, 'systemd/subsetd.service'), 'utf8')) {
  const env = {};
  for (const line of unitText.split('\n')) {
    const m = line.match(/^Environment=(.*)$/);
    if (!m) continue;
    for (const kv of m[1].trim().split(/\s+/)) {
      const i = kv.indexOf('=');
      env[kv.slice(0, i)] = kv.slice(i + 1);
    }
  }
  return env;
}

function loadTable() {
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-env-'));
  try {
    const out = join(dir, 'table.cjs');
    buildSync({ entryPoints: [join(root, 'src/config/table.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', logLevel: 'error' });
    return createRequire(import.meta.url)(out).SETTINGS;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function envTemplate() {
  const unit = unitEnvironment();
  const lines = [
    '# subsetd settings (systemd EnvironmentFile syntax), read by subsetd.service.',
    '# Every setting is listed with its default; uncomment a line to change it, then',
    '# `systemctl restart subsetd`. `subsetd config --env-file /etc/subsetd/subsetd.env`',
    '# shows the effective values; a bad value stops start-up naming the key (exit code 2).',
    '',
  ];
  for (const s of Object.values(loadTable())) {
    lines.push(`# ${s.doc}`);
    if (COMPUTED[s.key]) {
      lines.push(`# (default: ${COMPUTED[s.key]})`, `#${s.key}=`, '');
      continue;
    }
    const def = unit[s.key] ?? (typeof s.default === 'string' ? s.default : '');
    lines.push(`#${s.key}=${def}`, '');
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(envTemplate());
