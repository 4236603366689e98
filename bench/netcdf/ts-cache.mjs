// bench/netcdf/ts-cache.mjs (issue 13, phase 1): the time-series cache on the 1-year ISIMIP-like
// file of bench/netcdf (tas float32 365×360×720, NetCDF-4 classic, deflate 5, chunks 1×360×720),
// side by side with the one ncks point query it replaces, in one run, as ratios:
//   - `subsetd cache build` (the bundled CLI, a process of its own) vs one ncks point query;
//   - the entry's size vs the source's;
//   - a point series read from the cache (pointSeriesFromCache in this process, 20 different
//     points in 20 different blocks: open, validate against the source, read, decode) vs ncks;
//   - the build's peak RSS (the whole CLI process);
//   - regions through the API (the bundled service, entry built, each run its own symlinked
//     input so that no job is shared; the entry is keyed by the real path): cutout_bbox of
//     Germany vs ncks, mask_country DEU + compute_mean to CSV vs cdo fldmean on the DEU mask;
//     the same requests on a service without the cache for reference.
// Run by `npm run bench` (bench/ts-cache/index.mjs) or alone: node bench/netcdf/ts-cache.mjs.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { makeIsimipLike } from '../../scripts/make-netcdf-fixtures.mjs';
import { countryMask, timeCommand } from './peers.mjs';
import { startService } from './service.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const data = join(root, 'bench', 'out', 'netcdf');
const YEAR = 'tas_bench_global_daily_2001_2001.nc';
const ROUNDS = Number(process.env.BENCH_NETCDF_ROUNDS ?? 2);
const POINTS = 20;

/** The cache's reader, bundled as scripts/build.mjs bundles it, loaded into this process. */
async function loadCache(tmp) {
  const out = join(tmp, 'ts-cache.cjs');
  await esbuild.build({ entryPoints: [join(root, 'processors/netcdf/ts-cache/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error', external: ['h5wasm', 'h5wasm/node'] });
  return createRequire(import.meta.url)(out);
}

/** Runs the CLI; resolves with seconds and the process's peak RSS in MB (VmHWM, read until it exits). */
function cli(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SUBSETD_')));
    const p = spawn(process.execPath, [join(process.env.BENCH_SUBSETD_DIST ?? join(root, 'dist'), 'subsetd.cjs'), ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let hwm = 0;
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const poll = setInterval(() => {
      try {
        hwm = Math.max(hwm, Number(readFileSync(`/proc/${p.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)[1]) / 1024);
      } catch {
        /* exited */
      }
    }, 10);
    p.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) reject(new Error(`subsetd ${args.join(' ')}: exit ${code}: ${out}`));
      else resolve({ seconds: (performance.now() - t0) / 1000, peakMB: hwm, out });
    });
  });
}

/** The country's outline, as the service bundles src/boundaries (import.meta.url is the bundle's URL). */
async function countryParts(iso) {
  // Under the repository, so that the bundle finds world-atlas in node_modules.
  const out = join(data, 'tmp', 'boundaries.cjs');
  await esbuild.build({ entryPoints: [join(root, 'src/boundaries/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error', define: { 'import.meta.url': '__bundle_url' }, banner: { js: "var __bundle_url = require('url').pathToFileURL(__filename).href;" } });
  return createRequire(import.meta.url)(out).getCountry(iso);
}

const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

export default async function run() {
  mkdirSync(data, { recursive: true });
  if (!existsSync(join(data, YEAR))) makeIsimipLike({ file: join(data, YEAR), nt: 365 });
  const year = join(data, YEAR);
  const tmp = mkdtempSync(join(tmpdir(), 'subsetd-bench-tscache-'));
  const dir = join(tmp, 'ts-cache');
  const env = { SUBSETD_STATE_DIR: join(tmp, 'state'), SUBSETD_DATA_ROOT: data, SUBSETD_TS_CACHE_DIR: dir };
  const rows = [];
  try {
    const cache = await loadCache(tmp);
    const ncks = () => timeCommand('ncks', ['-H', '-C', '-v', 'tas', '-d', 'lat,52.38', '-d', 'lon,13.06', year]);
    let build = { seconds: Infinity, peakMB: 0 };
    let theirs = Infinity;
    for (let i = 0; i < ROUNDS; i++) {
      await cli(['cache', 'drop', '--all'], env);
      const b = await cli(['cache', 'build', YEAR], env);
      if (b.seconds < build.seconds) build = { ...b, peakMB: Math.max(build.peakMB, b.peakMB) };
      else build.peakMB = Math.max(build.peakMB, b.peakMB);
      theirs = Math.min(theirs, ncks());
    }
    const entry = cache.listEntries(dir)[0];
    const buildRatio = build.seconds / theirs;
    rows.push({ metric: 'cache build, 1-year file (subsetd cache build, whole process)', value: build.seconds, unit: 's', peer: 'ncks -H -C -v tas -d lat,52.38 -d lon,13.06', peerValue: theirs, ratio: buildRatio, target: '≤ 1.5×', ok: buildRatio <= 1.5 });
    const sizeRatio = entry.bytes / statSync(year).size;
    rows.push({ metric: `cache size (source ${(statSync(year).size / 1e6).toFixed(0)} MB)`, value: entry.bytes / 1e6, unit: 'MB', ratio: sizeRatio, target: '≤ 1.15× source', ok: sizeRatio <= 1.15 });
    rows.push({ metric: 'peak RSS of the build (the CLI process)', value: build.peakMB, unit: 'MB', target: '≤ 300', ok: build.peakMB <= 300 });

    // 20 different points, each in a block of its own, read in this process (warm page cache, as after a build).
    const rss0 = process.memoryUsage().rss;
    let seed = 7;
    const rnd = (n) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const seen = new Set();
    const cells = [];
    while (cells.length < POINTS) {
      const r = rnd(360);
      const c = rnd(720);
      const b = `${r >> 4},${c >> 4}`;
      if (seen.has(b)) continue;
      seen.add(b);
      cells.push([r, c]);
    }
    cache.pointSeriesFromCache(year, 'tas', 0, 0, dir); // warm-up (JIT), not counted
    const ms = cells.map(([r, c]) => {
      const t0 = performance.now();
      const s = cache.pointSeriesFromCache(year, 'tas', r, c, dir);
      const t = performance.now() - t0;
      if (!s || s.length !== 365) throw new Error('the cache did not answer');
      return t;
    });
    const rssGrowth = (process.memoryUsage().rss - rss0) / 1048576;
    const p50 = quantile(ms, 0.5) / 1000;
    const p99 = quantile(ms, 0.99) / 1000;
    // The runner prints ratios with 2 decimals: these are far below that, so the label carries them.
    rows.push({ metric: `point series from the cache, p50 of ${POINTS} points (in process; ${(p50 / theirs).toPrecision(2)}×)`, value: p50 * 1000, unit: 'ms', peer: 'ncks point query', peerValue: theirs * 1000, ratio: p50 / theirs, target: '≤ 0.02×', ok: p50 / theirs <= 0.02 });
    rows.push({ metric: `point series from the cache, p99 of ${POINTS} points (${(p99 / theirs).toPrecision(2)}×)`, value: p99 * 1000, unit: 'ms', peer: 'ncks point query', peerValue: theirs * 1000, ratio: p99 / theirs });
    rows.push({ metric: `RSS growth of this process over the ${POINTS} point reads`, value: rssGrowth, unit: 'MB', target: '< 20', ok: rssGrowth < 20 });

    // Regions through the API, the entry built above; each run its own input name (a symlink).
    mkdirSync(join(data, 'tmp'), { recursive: true });
    const maskDEU = countryMask(join(data, 'tmp'), 'DEU', await countryParts('DEU'));
    const links = join(data, 'ts-cache-links');
    rmSync(links, { recursive: true, force: true });
    mkdirSync(links);
    let runNo = 0;
    const fresh = (inputs) => {
      const name = `ts-cache-links/run${++runNo}-${YEAR}`;
      symlinkSync(year, join(data, name));
      return { ...inputs, paths: [name] };
    };
    const out = (n) => join(tmp, n);
    const regions = [
      ['cutout_bbox Germany', { operations: [{ operation: 'cutout_bbox', bbox: [5.5, 47.0, 15.5, 55.5] }] }, 'ncks -d lat,47.0,55.5 -d lon,5.5,15.5', () => timeCommand('ncks', ['-O', '-h', '-d', 'lat,47.0,55.5', '-d', 'lon,5.5,15.5', year, out('ncks_cut.nc')]), 0.05],
      ['mask_country DEU + compute_mean to CSV', { operations: [{ operation: 'mask_country', country: 'DEU', compute_mean: true, output_csv: true }] }, 'cdo outputtab,date,value -fldmean -ifthen mask', () => timeCommand('cdo', ['-s', 'outputtab,date,value', '-fldmean', '-ifthen', maskDEU, year]), 0.05],
    ];
    // With SUBSETD_TS_CACHE (auto by default where it exists), the service builds entries in the
    // background after a job: the reference service has it off, the other one only reads.
    const modes = readFileSync(join(root, 'src/config/table.ts'), 'utf8').includes("'SUBSETD_TS_CACHE'");
    const svc = await startService(root, data, { SUBSETD_TS_CACHE_DIR: dir, ...(modes ? { SUBSETD_TS_CACHE: 'manual' } : {}) });
    const plainSvc = await startService(root, data, modes ? { SUBSETD_TS_CACHE: 'off' } : {}); // its own state dir: an empty cache
    try {
      await svc.run(fresh(regions[0][1])); // warm-up: worker thread, h5wasm, the entry's pages
      await plainSvc.run(fresh(regions[0][1]));
      const hits0 = cache.listEntries(dir)[0].hits;
      for (const [metric, inputs, peer, peerRun, target] of regions) {
        let mine = Infinity;
        let plain = Infinity;
        let theirs = Infinity;
        for (let i = 0; i < Math.max(ROUNDS, 3); i++) {
          mine = Math.min(mine, await svc.run(fresh(inputs)));
          theirs = Math.min(theirs, peerRun());
          if (i < ROUNDS) plain = Math.min(plain, await plainSvc.run(fresh(inputs)));
        }
        const ratio = mine / theirs;
        rows.push({ metric: `${metric} from the cache, through the API (${ratio.toPrecision(2)}×)`, value: mine, unit: 's', peer, peerValue: theirs, ratio, target: `≤ ${target}×`, ok: ratio <= target });
        rows.push({ metric: `${metric}, the same without the cache (${(mine / plain).toPrecision(2)}× of it from the cache)`, value: plain, unit: 's', peer, peerValue: theirs, ratio: plain / theirs });
      }
      const used = cache.listEntries(dir)[0].hits - hits0;
      if (used < regions.length * Math.max(ROUNDS, 3)) throw new Error(`the cache answered ${used} of the region runs`);
    } finally {
      svc.stop();
      plainSvc.stop();
      rmSync(links, { recursive: true, force: true });
    }
    const m = /in ([\d.]+) s/.exec(build.out);
    if (m) rows.push({ metric: 'cache build, the build alone (as the CLI reports it)', value: Number(m[1]), unit: 's' });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { area: 'netcdf-ts-cache', rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table((await run()).rows);
