#!/usr/bin/env node
// `npm run build`: dist/subsetd (a Node single executable application) and
// dist/subsetd-<version>-linux-x64.tar.gz (the executable, systemd units, nginx site, env-file
// template, installer, docs, the Debian packages it needs). The executable carries its runtime as
// an asset (see src/sea/sea-main.ts). Unchanged inputs reuse the previous outputs (build key).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
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
const NAME = `subsetd-${pkg.version}-linux-x64`;
// Files of the release besides the executable (paths in the repo -> in the tarball).
const RELEASE_FILES = { systemd: 'systemd', 'scripts/install.sh': 'scripts/install.sh', 'docs/deploy.md': 'DEPLOY.md' };

const sha = (...parts) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest('hex');

function filesUnder(p) {
  if (!statSync(p).isDirectory()) return [p];
  return readdirSync(p).sort().flatMap((n) => filesUnder(join(p, n)));
}

/** Debian packages owning the shared libraries the given ELF files link against directly. */
export function debianDepends(elfFiles) {
  const sonames = new Set();
  for (const f of elfFiles) {
    const out = execFileSync('readelf', ['-d', f], { encoding: 'utf8' });
    for (const m of out.matchAll(/\(NEEDED\)\s+Shared library: \[(.+?)\]/g)) sonames.add(m[1]);
  }
  const cache = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
  const pkgs = new Set();
  for (const so of sonames) {
    const m = cache.match(new RegExp(`^\\s*${so.replace(/[.+]/g, '\\$&')} \\(libc6,x86-64[^)]*\\) => (\\S+)$`, 'm'));
    if (!m) throw new Error(`${so}: not in the ldconfig cache of this build machine`);
    // Merged /usr: dpkg knows /usr/lib/... while ldconfig may print /lib/...
    const cands = [...new Set([m[1], realpathSync(m[1]), m[1].replace(/^\/lib/, '/usr/lib')])];
    let owner;
    for (const c of cands) {
      try {
        owner = execFileSync('dpkg-query', ['-S', c], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':')[0];
        break;
      } catch {
        /* try the next spelling */
      }
    }
    if (!owner) throw new Error(`${so} (${m[1]}): no Debian package owns it`);
    pkgs.add(owner);
  }
  return [...pkgs].sort();
}

export async function buildSea({ force = false } = {}) {
  rmSync(work, { recursive: true, force: true });
  const rt = join(work, 'runtime');
  await build({ outdir: join(rt, 'dist') });
  copyRuntime(root, rt);
  // Deterministic archive (fixed mtimes, portable headers): the content hash only moves when content does.
  const archive = join(work, 'runtime.tar.gz');
  await tar.c({ gzip: { level: 6 }, file: archive, cwd: rt, portable: true, mtime: new Date(0) }, ['dist', 'node_modules']);
  const hash = sha(readFileSync(archive)).slice(0, 32);
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
  const exe = join(dist, 'subsetd');
  const keyFile = join(dist, 'subsetd.buildkey');
  const key = sha(hash, readFileSync(join(work, 'sea-main.cjs')), process.version, process.execPath, String(statSync(process.execPath).mtimeMs));
  if (!force && existsSync(exe) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return { exe, hash, cached: true };
  const cfg = {
    main: join(work, 'sea-main.cjs'),
    output: join(work, 'sea-prep.blob'),
    disableExperimentalSEAWarning: true,
    // The launcher is tiny and runs once; the real code is loaded from the unpacked runtime.
    useCodeCache: false,
    assets: { 'runtime.tar.gz': archive, 'runtime.sha256': join(work, 'runtime.sha256') },
  };
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify(cfg));
  execFileSync(process.execPath, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: ['ignore', 'ignore', 'inherit'] });
  rmSync(keyFile, { force: true });
  const tmpExe = `${exe}.tmp`;
  copyFileSync(process.execPath, tmpExe);
  chmodSync(tmpExe, 0o755);
  // postject prints harmless "Can't find string offset for section name" warnings for node's ELF notes.
  execFileSync(process.execPath, [join(root, 'node_modules/postject/dist/cli.js'), tmpExe, 'NODE_SEA_BLOB', cfg.output, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], { stdio: 'ignore' });
  execFileSync('mv', ['-f', tmpExe, exe]);
  writeFileSync(keyFile, key);
  return { exe, hash, cached: false };
}

function readme(depends) {
  return `subsetd ${pkg.version} for Linux x64 (Debian 12 / Ubuntu 22.04 or later)

One executable (./subsetd, no Node.js needed), its systemd unit and nginx site.

  sudo scripts/install.sh            install or upgrade, start, wait until ready
  sudo scripts/install.sh --nginx    the same, plus the nginx site under /api/
  sudo scripts/install.sh --uninstall [--purge]

Needs these Debian/Ubuntu packages (the installer adds missing ones; see DEPENDS):
  ${depends.join(' ')}

Settings: subsetd.env.example (installed as /etc/subsetd/subsetd.env). Everything else,
upgrade, backup and logs: DEPLOY.md.
`;
}

export async function buildTarball(exe, hash) {
  const stage = join(work, NAME);
  const out = join(dist, `${NAME}.tar.gz`);
  const depends = debianDepends([exe, ...filesUnder(join(work, 'runtime')).filter((f) => f.endsWith('.node'))]);
  const files = {
    DEPENDS: `${depends.join('\n')}\n`,
    README: readme(depends),
    'subsetd.env.example': envTemplate(),
  };
  const key = sha(readFileSync(join(dist, 'subsetd.buildkey')), hash, JSON.stringify(files), ...Object.keys(RELEASE_FILES).flatMap((p) => filesUnder(join(root, p)).map((f) => relative(root, f) + readFileSync(f))));
  const keyFile = `${out}.buildkey`;
  if (existsSync(out) && existsSync(keyFile) && readFileSync(keyFile, 'utf8') === key) return { tgz: out, cached: true };
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  copyFileSync(exe, join(stage, 'subsetd'));
  chmodSync(join(stage, 'subsetd'), 0o755);
  for (const [from, to] of Object.entries(RELEASE_FILES)) {
    mkdirSync(dirname(join(stage, to)), { recursive: true });
    cpSync(join(root, from), join(stage, to), { recursive: true });
  }
  chmodSync(join(stage, 'scripts/install.sh'), 0o755);
  for (const [n, text] of Object.entries(files)) writeFileSync(join(stage, n), text);
  rmSync(keyFile, { force: true });
  await tar.c({ gzip: true, file: out, cwd: work, portable: true, mtime: new Date(0) }, [NAME]);
  writeFileSync(keyFile, key);
  return { tgz: out, cached: false };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const { exe, hash, cached } = await buildSea({ force: process.argv.includes('--force') });
  const { tgz } = await buildTarball(exe, hash);
  const mb = (f) => `${(statSync(f).size / 2 ** 20).toFixed(1)} MB`;
  console.log(`${cached ? 'unchanged' : 'built'}: ${relative(root, exe)} (${mb(exe)}, runtime ${hash}) and ${relative(root, tgz)} (${mb(tgz)}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
