#!/usr/bin/env node
// `npm run build`: dist/subsetd (a Node single executable application) and
// dist/subsetd-<version>-linux-x64.tar.gz (the executable, systemd units, nginx site, env-file
// template, installer). The executable carries its runtime as an asset (see src/sea/sea-main.ts).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import * as tar from 'tar';
import { build } from './build.mjs';
import { envTemplate } from './env-template.mjs';
import { copyRuntime } from './sea-runtime.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const dist = join(root, 'dist');
const work = join(dist, '.sea');

export async function buildSea() {
  rmSync(work, { recursive: true, force: true });
  const rt = join(work, 'runtime');
  await build({ outdir: join(rt, 'dist') });
  copyRuntime(root, rt);
  // Deterministic archive: fixed mtimes, sorted entries, so the content hash only moves when content does.
  const archive = join(work, 'runtime.tar.gz');
  await tar.c({ gzip: { level: 6 }, file: archive, cwd: rt, portable: true, mtime: new Date(0), noDirRecurse: false }, ['dist', 'node_modules']);
  const hash = createHash('sha256').update(readFileSync(archive)).digest('hex').slice(0, 32);
  writeFileSync(join(work, 'runtime.sha256'), hash);
  await esbuild.build({
    entryPoints: [join(root, 'src/sea/sea-main.ts')],
    outfile: join(work, 'sea-main.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  const cfg = {
    main: join(work, 'sea-main.cjs'),
    output: join(work, 'sea-prep.blob'),
    disableExperimentalSEAWarning: true,
    useCodeCache: false,
    assets: { 'runtime.tar.gz': archive, 'runtime.sha256': join(work, 'runtime.sha256') },
  };
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify(cfg));
  execFileSync(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: 'inherit' });
  const exe = join(dist, 'subsetd');
  rmSync(exe, { force: true });
  copyFileSync(process.execPath, exe);
  chmodSync(exe, 0o755);
  execFileSync(process.execPath, [join(root, 'node_modules/postject/dist/cli.js'), exe, 'NODE_SEA_BLOB', cfg.output, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: ['ignore', 'ignore', 'inherit'] });
  return { exe, hash };
}

export async function buildTarball(exe) {
  const name = `subsetd-${pkg.version}-linux-x64`;
  const stage = join(work, name);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(join(stage, 'scripts'), { recursive: true });
  copyFileSync(exe, join(stage, 'subsetd'));
  chmodSync(join(stage, 'subsetd'), 0o755);
  cpSync(join(root, 'systemd'), join(stage, 'systemd'), { recursive: true });
  copyFileSync(join(root, 'scripts/install.sh'), join(stage, 'scripts/install.sh'));
  chmodSync(join(stage, 'scripts/install.sh'), 0o755);
  writeFileSync(join(stage, 'subsetd.env.example'), envTemplate());
  copyFileSync(join(root, 'docs/deploy.md'), join(stage, 'DEPLOY.md'));
  const out = join(dist, `${name}.tar.gz`);
  await tar.c({ gzip: true, file: out, cwd: work, portable: true }, [name]);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const { exe, hash } = await buildSea();
  const tgz = await buildTarball(exe);
  console.log(`built ${exe} (runtime ${hash}) and ${tgz} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
