// bench/netcdf (issue 3): netcdf-subset through the bundled service vs the commands
// isimip-files-api runs (cdo, ncks), side by side in one run, on a 1-year ISIMIP-like file
// (tas float32 365×360×720, NetCDF-4 classic, deflate 5, chunks 1×360×720, ~270 MB).
// Each case alternates subsetd and peer runs and keeps the better of each (warm page cache).
// Peak RSS of the whole service during a 10-year (~2.6 GB) mask_country job is measured when
// that file exists or BENCH_NETCDF_10Y=1 lets it be generated (~6 min, 4 GB of temp space).
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { makeIsimipLike } from '../../scripts/make-netcdf-fixtures.mjs';
import { countryMask, timeCommand } from './peers.mjs';
import { startService } from './service.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const data = join(root, 'bench', 'out', 'netcdf');
const tmp = join(data, 'tmp');
const YEAR = 'tas_bench_global_daily_2001_2001.nc';
const DECADE = 'tas_bench_global_daily_2001_2010.nc';
const ROUNDS = Number(process.env.BENCH_NETCDF_ROUNDS ?? 2);

async function countryParts(iso) {
  const out = join(tmp, 'boundaries.cjs');
  // As scripts/build.mjs bundles it: import.meta.url (where the topologies are looked up) is the bundle's URL.
  await esbuild.build({ entryPoints: [join(root, 'src/boundaries/index.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error', define: { 'import.meta.url': '__bundle_url' }, banner: { js: "var __bundle_url = require('url').pathToFileURL(__filename).href;" } });
  const { createRequire } = await import('node:module');
  return createRequire(import.meta.url)(out).getCountry(iso);
}

// The service deduplicates identical jobs: each run gets input names of its own (symlinks).
let runNo = 0;
function fresh(inputs) {
  const n = ++runNo;
  const paths = inputs.paths.map((p, k) => {
    const name = `run${n}-${k}-${p}`;
    if (!existsSync(join(data, name))) symlinkSync(p, join(data, name));
    return name;
  });
  return { ...inputs, paths };
}

export default async function run() {
  mkdirSync(tmp, { recursive: true });
  if (!existsSync(join(data, YEAR))) makeIsimipLike({ file: join(data, YEAR), nt: 365 });
  const four = [1, 2, 3, 4].map((k) => `tas_bench${k}_global_daily_2001_2001.nc`);
  for (const f of four) if (!existsSync(join(data, f))) symlinkSync(YEAR, join(data, f));
  const mask = countryMask(tmp, 'DEU', await countryParts('DEU'));
  const year = join(data, YEAR);
  const o = (name) => join(tmp, name);
  // The normal path, as isimip-files-api's peers run it: no time-series cache (bench/ts-cache has it).
  const svc = await startService(root, data, { SUBSETD_TS_CACHE: 'off' });
  const rows = [];
  const row = (metric, value, peer, peerValue, target) => {
    const ratio = value / peerValue;
    rows.push({ metric, value, unit: 's', peer, peerValue, ratio, target: `≤ ${target}×`, ok: ratio <= target });
  };
  try {
    const cases = [
      ['mask_country DEU, 1 file', { paths: [YEAR], operations: [{ operation: 'mask_country', country: 'DEU' }] }, 'cdo -f nc4c -z zip_5 -ifthen', () => timeCommand('cdo', ['-s', '-O', '-f', 'nc4c', '-z', 'zip_5', '-ifthen', mask, year, o('cdo_deu.nc')]), 1.0],
      ['mask_country DEU, 4-file job', { paths: four, operations: [{ operation: 'mask_country', country: 'DEU' }] }, 'cdo on the 4 files one after another', () => four.reduce((s, f) => s + timeCommand('cdo', ['-s', '-O', '-f', 'nc4c', '-z', 'zip_5', '-ifthen', mask, join(data, f), o('cdo_deu4.nc')]), 0), 0.55],
      ['cutout_bbox Germany', { paths: [YEAR], operations: [{ operation: 'cutout_bbox', bbox: [5.5, 47.0, 15.5, 55.5] }] }, 'ncks -d lat,47.0,55.5 -d lon,5.5,15.5', () => timeCommand('ncks', ['-O', '-h', '-d', 'lat,47.0,55.5', '-d', 'lon,5.5,15.5', year, o('ncks_cut.nc')]), 1.0],
      ['select_point to CSV (Potsdam)', { paths: [YEAR], operations: [{ operation: 'select_point', point: { type: 'Point', coordinates: [13.06, 52.38] }, output_csv: true }] }, 'ncks -H -C -v tas -d lat,52.38 -d lon,13.06', () => timeCommand('ncks', ['-H', '-C', '-v', 'tas', '-d', 'lat,52.38', '-d', 'lon,13.06', year]), 1.0],
      ['compute_mean to CSV (global)', { paths: [YEAR], operations: [{ operation: 'mask_bbox', bbox: [-180, -90, 180, 90], compute_mean: true, output_csv: true }] }, 'cdo outputtab,date,value -fldmean', () => timeCommand('cdo', ['-s', 'outputtab,date,value', '-fldmean', year]), 1.0],
    ];
    const idle = svc.rss();
    await svc.run(fresh(cases[2][1])); // warm-up: worker threads, h5wasm, page cache
    for (const [metric, inputs, peer, peerRun, target] of cases) {
      let mine = Infinity;
      let theirs = Infinity;
      for (let i = 0; i < ROUNDS; i++) {
        mine = Math.min(mine, await svc.run(fresh(inputs)));
        theirs = Math.min(theirs, peerRun());
      }
      row(metric, mine, peer, theirs, target);
    }
    svc.resetPeak();
    await svc.run(fresh(cases[0][1]));
    rows.push({ metric: 'RSS of the idle service after start (before any job)', value: idle, unit: 'MB' });
    rows.push({ metric: 'peak RSS of the service, mask_country on the 1-year file', value: svc.peakRss(), unit: 'MB' });
    if (!existsSync(join(data, DECADE)) && process.env.BENCH_NETCDF_10Y === '1') makeIsimipLike({ file: join(data, DECADE), nt: 3650 });
    if (existsSync(join(data, DECADE))) {
      svc.resetPeak();
      const t = await svc.run({ paths: [DECADE], operations: [{ operation: 'mask_country', country: 'DEU' }] });
      const rss = svc.peakRss();
      rows.push({ metric: 'peak RSS of the service, mask_country on the 10-year file (2.6 GB)', value: rss, unit: 'MB', target: '≤ 300', ok: rss <= 300 });
      rows.push({ metric: 'mask_country on the 10-year file', value: t, unit: 's' });
      // The same with glibc limited to 2 malloc arenas (libuv's zlib threads otherwise get one each).
      const lean = await startService(root, data, { MALLOC_ARENA_MAX: '2', SUBSETD_TS_CACHE: 'off' });
      try {
        lean.resetPeak();
        await lean.run(fresh({ paths: [DECADE], operations: [{ operation: 'mask_country', country: 'DEU' }] }));
        const r2 = lean.peakRss();
        rows.push({ metric: 'peak RSS, 10-year file, service started with MALLOC_ARENA_MAX=2', value: r2, unit: 'MB', target: '≤ 300', ok: r2 <= 300 });
      } finally {
        lean.stop();
      }
    }
  } finally {
    svc.stop();
    rmSync(tmp, { recursive: true, force: true });
    for (const f of readdirSync(data)) if (f.startsWith('run')) rmSync(join(data, f));
  }
  return { area: 'netcdf', rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.table((await run()).rows);
