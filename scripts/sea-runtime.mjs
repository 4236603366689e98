// The files the single executable carries and unpacks: the esbuild bundles and the runtime
// closure of the packages they leave external (native addons and their JS loaders).
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

// What each external package needs at run time; everything else in it is source or build input.
const KEEP = {
  'better-sqlite3': ['package.json', 'lib', 'build/Release/better_sqlite3.node'],
  'gdal-async': ['package.json', 'lib'],
};
// Build-time-only dependencies (compilers, prebuilt downloaders).
const SKIP = new Set(['nan', 'node-gyp', 'prebuild-install', 'node-addon-api']);
// Optional accelerators whose pure-JS fallback is used when absent.
export const RUNTIME_ROOTS = ['better-sqlite3', 'gdal-async'];

function resolvePkg(root, fromDir, name) {
  for (let d = fromDir; ; d = dirname(d)) {
    const cand = join(d, 'node_modules', name);
    if (existsSync(join(cand, 'package.json'))) return cand;
    if (d === root || d === dirname(d)) return null;
  }
}

/** Package directories (absolute) needed at run time, Node-resolution order kept. */
export function runtimeClosure(root, roots = RUNTIME_ROOTS) {
  const seen = new Map();
  const visit = (dir) => {
    if (seen.has(dir)) return;
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    seen.set(dir, pkg.name);
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) {
      if (SKIP.has(dep)) continue;
      const d = resolvePkg(root, dir, dep);
      if (d) visit(d);
      else if (!(pkg.optionalDependencies ?? {})[dep]) throw new Error(`${pkg.name} needs ${dep}, not installed`);
    }
  };
  for (const r of roots) {
    const d = resolvePkg(root, root, r);
    if (!d) throw new Error(`${r} is not installed`);
    visit(d);
  }
  return [...seen.entries()].map(([dir, name]) => ({ dir, name }));
}

/** Copies the runtime packages below `out/node_modules`, keeping their nesting. */
export function copyRuntime(root, out) {
  for (const { dir, name } of runtimeClosure(root)) {
    const rel = relative(root, dir);
    const keep = KEEP[name];
    const parts = keep ?? ['.'];
    for (const p of parts) {
      const src = join(dir, p);
      if (!existsSync(src)) throw new Error(`${name}: ${p} missing (was it built?)`);
      const dst = join(out, rel, p);
      mkdirSync(dirname(dst), { recursive: true });
      cpSync(src, dst, { recursive: statSync(src).isDirectory(), filter: (s) => !/\/(test|tests|docs?|\.github)(\/|$)/.test(relative(dir, s)) || keep !== undefined });
    }
    if (name === 'gdal-async') linkSystemGribTables(join(out, rel));
  }
}

// gdal-async points GDAL at its bundled GRIB tables (and warns on every start when they are
// missing); linked against the system's libgdal, the system's own tables are the matching ones.
function linkSystemGribTables(pkgDir) {
  const link = join(pkgDir, 'deps/libgdal/gdal/frmts/grib/data');
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync('/usr/share/gdal', link);
}
