// bench/netcdf/ts-cache.mjs (issue 13): the time-series cache on the 1-year ISIMIP-like file of
// bench/netcdf (tas float32 365×360×720, NetCDF-4 classic, deflate 5, chunks 1×360×720) and on
// a 10-year one (2.6 GB; when it exists, or BENCH_NETCDF_10Y=1 lets it be generated: ~6 min,
// 4 GB of temp space), side by side with the ncks/cdo commands it replaces, in one run, as ratios:
//   - `subsetd cache build` (the bundled CLI, a process of its own) vs one ncks point query, its
//     peak RSS, the entry's size vs the source's;
//   - a point series read in this process (pointSeriesFromCache: open, validate, read, decode);
//   - through the API (the bundled service, entry built, one round trip: OGC sync-execute with
//     the CSV answered raw), 20 different points in 20 different blocks, each a job of its own:
//     p50 and p99 vs ncks; regions (each run its own symlinked input so that no job is shared;
//     the entry is keyed by the real path): cutout_bbox of Germany vs ncks, mask_country DEU +
//     compute_mean to CSV vs cdo fldmean on the DEU mask; the same on a service without the cache;
//   - 10-year file: the CLI build vs ncks; then a service with SUBSETD_TS_CACHE=auto asked one
//     point (normal path) builds the entry in the background: the service's peak RSS over both;
//     then 20 points from the cache through the API vs ncks, and the service's RSS growth.
// Run by `npm run bench` (bench/ts-cache/index.mjs) or alone: node bench/netcdf/ts-cache.mjs.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
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
const DECADE = 'tas_bench_global_daily_2001_2010.nc';
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

/** `n` cells of the 0.5° grid (row, col), each in a 16 × 16 block of its own, from a fixed seed. */
function cellsInBlocks(n, seed) {
  const rnd = (k) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % k);
  const seen = new Set();
  const cells = [];
  while (cells.length < n) {
    const r = rnd(360);
    const c = rnd(720);
    const b = `${r >> 4},${c >> 4}`;
    if (seen.has(b)) continue;
    seen.add(b);
    cells.push([r, c]);
  }
  return cells;
}

/**
 * select_point to CSV through the API, one round trip each (sync-execute, the CSV answered raw),
 * one job per cell; checks that every answer is the whole series. Returns seconds per request.
 */
async function apiPoints(svc, path, cells, steps) {
  const seconds = [];
  for (const [r, c] of cells) {
    const point = { type: 'Point', coordinates: [-179.75 + 0.5 * c, 89.75 - 0.5 * r] };
    const { seconds: t, body } = await svc.runSync({ paths: [path], operations: [{ operation: 'select_point', point, output_csv: true }] }, { outputs: { files: { transmissionMode: 'value' } }, response: 'raw' });
    const lines = body.trim().split('\n').length;
    if (lines !== steps + 1) throw new Error(`point ${point.coordinates}: ${lines} CSV lines, expected ${steps + 1}: ${body.slice(0, 200)}`);
    seconds.push(t);
  }
  return seconds;
}

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
    const cells = cellsInBlocks(POINTS, 7);
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
    rows.push({ metric: `point series read in process, p50 of ${POINTS} points (${(p50 / theirs).toPrecision(2)}×)`, value: p50 * 1000, unit: 'ms', peer: 'ncks point query', peerValue: theirs * 1000, ratio: p50 / theirs });
    rows.push({ metric: `point series read in process, p99 of ${POINTS} points (${(p99 / theirs).toPrecision(2)}×)`, value: p99 * 1000, unit: 'ms', peer: 'ncks point query', peerValue: theirs * 1000, ratio: p99 / theirs });
    rows.push({ metric: `RSS growth of this process over the ${POINTS} point reads`, value: rssGrowth, unit: 'MB' });

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
      await svc.runSync(fresh(regions[0][1])); // warm-up: worker thread, h5wasm, the entry's pages
      await plainSvc.runSync(fresh(regions[0][1]));
      const hits0 = cache.listEntries(dir)[0].hits;
      // Points through the API, one round trip each; other points than the in-process ones.
      const api = await apiPoints(svc, YEAR, cellsInBlocks(POINTS, 11), 365);
      const [a50, a99] = [quantile(api, 0.5), quantile(api, 0.99)];
      rows.push({ metric: `select_point to CSV from the cache through the API, p50 of ${POINTS} points (${(a50 / theirs).toPrecision(2)}×)`, value: a50 * 1000, unit: 'ms', peer: 'ncks point query', peerValue: theirs * 1000, ratio: a50 / theirs, target: '≤ 0.02×', ok: a50 / theirs <= 0.02 });
      rows.push({ metric: `the same, p99 (${(a99 / theirs).toPrecision(2)}×)`, value: a99 * 1000, unit: 'ms', peer: 'ncks point query', peerValue: theirs * 1000, ratio: a99 / theirs });
      for (const [metric, inputs, peer, peerRun, target] of regions) {
        let mine = Infinity;
        let plain = Infinity;
        let theirs = Infinity;
        for (let i = 0; i < Math.max(ROUNDS, 3); i++) {
          mine = Math.min(mine, (await svc.runSync(fresh(inputs))).seconds);
          theirs = Math.min(theirs, peerRun());
          if (i < ROUNDS) plain = Math.min(plain, (await plainSvc.runSync(fresh(inputs))).seconds);
        }
        const ratio = mine / theirs;
        rows.push({ metric: `${metric} from the cache, through the API (${ratio.toPrecision(2)}×)`, value: mine, unit: 's', peer, peerValue: theirs, ratio, target: `≤ ${target}×`, ok: ratio <= target });
        rows.push({ metric: `${metric}, the same without the cache (${(mine / plain).toPrecision(2)}× of it from the cache)`, value: plain, unit: 's', peer, peerValue: theirs, ratio: plain / theirs });
      }
      const used = cache.listEntries(dir)[0].hits - hits0;
      if (used < POINTS + regions.length * Math.max(ROUNDS, 3)) throw new Error(`the cache answered ${used} of the point and region runs`);
    } finally {
      svc.stop();
      plainSvc.stop();
      rmSync(links, { recursive: true, force: true });
    }
    const m = /in ([\d.]+) s/.exec(build.out);
    if (m) rows.push({ metric: 'cache build, the build alone (as the CLI reports it)', value: Number(m[1]), unit: 's' });
    if (!existsSync(join(data, DECADE)) && process.env.BENCH_NETCDF_10Y === '1') makeIsimipLike({ file: join(data, DECADE), nt: 3650 });
    if (existsSync(join(data, DECADE))) rows.push(...(await decade(tmp)));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { area: 'netcdf-ts-cache', rows };
}

/**
 * The 10-year file: the CLI build vs ncks; a service with SUBSETD_TS_CACHE=auto asked one point
 * (answered by the normal path) then building the entry in the background, its peak RSS over
 * both; then points from the cache through the API.
 */
async function decade(tmp) {
  const rows = [];
  const file = join(data, DECADE);
  const size = statSync(file).size;
  const theirs = timeCommand('ncks', ['-H', '-C', '-v', 'tas', '-d', 'lat,52.38', '-d', 'lon,13.06', file]);
  const dirCli = join(tmp, 'ts-cache-10y-cli');
  const env = { SUBSETD_STATE_DIR: join(tmp, 'state10'), SUBSETD_DATA_ROOT: data, SUBSETD_TS_CACHE_DIR: dirCli };
  const b = await cli(['cache', 'build', DECADE], env);
  const entryBytes = readdirSync(dirCli).filter((n) => n.endsWith('.tsc')).reduce((t, n) => t + statSync(join(dirCli, n)).size, 0);
  rows.push({ metric: `cache build, 10-year file (${(size / 1e9).toFixed(2)} GB; subsetd cache build, whole process)`, value: b.seconds, unit: 's', peer: 'ncks -H -C -v tas -d lat,52.38 -d lon,13.06', peerValue: theirs, ratio: b.seconds / theirs, target: '≤ 1.5×', ok: b.seconds / theirs <= 1.5 });
  rows.push({ metric: 'cache size, 10-year file', value: entryBytes / 1e6, unit: 'MB', ratio: entryBytes / size, target: '≤ 1.15× source', ok: entryBytes / size <= 1.15 });
  rows.push({ metric: 'peak RSS of the 10-year build (the CLI process)', value: b.peakMB, unit: 'MB', target: '≤ 300', ok: b.peakMB <= 300 });
  rmSync(dirCli, { recursive: true, force: true });

  // The service builds it itself: auto, a fresh cache directory, one point job on the file; with
  // the environment systemd/subsetd.service gives it (MALLOC_ARENA_MAX), and once without it.
  const plain = await autoBuild(join(tmp, 'ts-cache-10y-plain'), {});
  rows.push({ metric: `for reference: the same service started without the unit's environment: peak RSS (idle ${plain.idle.toFixed(0)} MB)`, value: plain.peak, unit: 'MB' });
  const unit = unitEnv();
  const { svc, rows: built } = await autoBuild(join(tmp, 'ts-cache-10y'), unit, theirs, true);
  rows.push(...built);
  try {
    // Then points from the cache, one round trip each.
    await apiPoints(svc, DECADE, [[200, 100]], 3650); // the thread's first look at the entry: not counted
    const before = svc.rss();
    const raises = [];
    const api = [];
    for (const cell of cellsInBlocks(POINTS, 13)) {
      const r0 = svc.rss();
      api.push(...(await apiPoints(svc, DECADE, [cell], 3650)));
      raises.push(svc.rss() - r0);
    }
    const growth = svc.rss() - before;
    const [a50, a99] = [quantile(api, 0.5), quantile(api, 0.99)];
    rows.push({ metric: `select_point to CSV from the cache through the API, 10-year file, p50 of ${POINTS} points (${(a50 / theirs).toPrecision(2)}×)`, value: a50 * 1000, unit: 'ms', peer: 'ncks point query', peerValue: theirs * 1000, ratio: a50 / theirs, target: '≤ 0.005×', ok: a50 / theirs <= 0.005 });
    rows.push({ metric: `the same, p99 (${(a99 / theirs).toPrecision(2)}×)`, value: a99 * 1000, unit: 'ms', peer: 'ncks point query', peerValue: theirs * 1000, ratio: a99 / theirs });
    rows.push({ metric: `service RSS raised by one point query from the cache, the most of those ${POINTS}`, value: Math.max(...raises), unit: 'MB', target: '< 20', ok: Math.max(...raises) < 20 });
    rows.push({ metric: `service RSS growth over all ${POINTS} (garbage until V8 collects it)`, value: growth, unit: 'MB' });
  } finally {
    svc.stop();
  }
  return rows;
}

/** The glibc settings systemd/subsetd.service starts the service with (Environment=MALLOC_...). */
function unitEnv() {
  const unit = readFileSync(join(root, 'systemd/subsetd.service'), 'utf8');
  return Object.fromEntries([...unit.matchAll(/^Environment=(MALLOC_\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
}

/**
 * A service with SUBSETD_TS_CACHE=auto and a fresh cache directory asked one point on the 10-year
 * file (the normal path), which queues the build; resolves once the entry is built with the peak
 * RSS over both. With `keep`, the service is left running (for the points from the cache).
 */
async function autoBuild(dir, env, theirs, keep = false) {
  const svc = await startService(root, data, { SUBSETD_TS_CACHE: 'auto', SUBSETD_TS_CACHE_DIR: dir, SUBSETD_SYNC_TIMEOUT: '5m', ...env });
  try {
    const idle = svc.rss();
    svc.resetPeak();
    const first = await apiPoints(svc, DECADE, [[75, 386]], 3650);
    const t0 = performance.now();
    while (!svc.logs().includes('time-series cache: entry built')) {
      if (performance.now() - t0 > 600_000) throw new Error('the 10-year entry was not built within 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const peak = svc.peakRss();
    if (!keep) return { idle, peak };
    const line = svc.logs().split('\n').find((l) => l.includes('time-series cache: entry built'));
    const buildSeconds = JSON.parse(line).seconds;
    const envText = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ') || 'no extra environment';
    return {
      svc,
      rows: [
        { metric: 'service: first point on the 10-year file (normal path; queues the build)', value: first[0], unit: 's', peer: 'ncks point query', peerValue: theirs, ratio: first[0] / theirs },
        { metric: 'service: the background build of the 10-year file (its own thread, as logged)', value: buildSeconds, unit: 's', peer: 'ncks point query', peerValue: theirs, ratio: buildSeconds / theirs },
        { metric: `peak RSS of the service over that point and the build (as systemd/subsetd.service starts it: ${envText}; idle ${idle.toFixed(0)} MB)`, value: peak, unit: 'MB', target: '≤ 300', ok: peak <= 300 },
      ],
    };
  } finally {
    if (!keep) svc.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table((await run()).rows);
