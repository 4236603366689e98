#!/usr/bin/env node
// ISIMIP-like NetCDF inputs for the tests and the bench, generated, never committed.
//   node scripts/make-netcdf-fixtures.mjs test  [dir]   small files (default test/.tmp/netcdf)
//   node scripts/make-netcdf-fixtures.mjs bench [dir]   1-year 0.5° file, ~270 MB (default bench/out/netcdf)
//   node scripts/make-netcdf-fixtures.mjs bench10 [dir] 10-year file, ~2.6 GB
// Values are written as NetCDF-3 by scripts/nc3-writer.mjs, then netCDF-C's own nccopy makes the
// NetCDF-4 classic file (deflate 5, chunks 1 × lat × lon) exactly as ISIMIP's files are stored.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeNc3 } from './nc3-writer.mjs';

const FILL = 1e20;

/** Smooth plausible near-surface temperature in K, plus hash noise so it compresses like real data. */
export function tasValue(t, lat, lon, noise = 0.6) {
  const r = Math.PI / 180;
  const season = Math.cos((2 * Math.PI * ((t % 365) - 15)) / 365);
  const base = 258 + 42 * Math.cos(lat * r) - 14 * season * Math.sin(lat * r) + 4 * Math.sin(3 * lon * r) * Math.cos(2 * lat * r);
  let h = Math.imul((t * 73856093) ^ (Math.round(lat * 100) * 19349663) ^ (Math.round(lon * 100) * 83492791), 2654435761) >>> 0;
  h = (h ^ (h >>> 15)) >>> 0;
  return base + noise * ((h / 4294967296) * 2 - 1);
}

/**
 * opts: {file, nt, res (deg), descending, lon360, kind: 'nc4'|'nc3', year, missingEvery (a cell
 * index stride set to _FillValue), depth (extra level dim), packed (short + scale_factor)}
 */
export function makeIsimipLike(opts) {
  const { file, nt = 5, res = 0.5, descending = true, lon360 = false, kind = 'nc4', year = 2001, missingEvery = 0, depth = 0, packed = false } = opts;
  const nlat = Math.round(180 / res);
  const nlon = Math.round(360 / res);
  const lats = Array.from({ length: nlat }, (_, i) => (descending ? 90 - res / 2 - i * res : -90 + res / 2 + i * res));
  const lons = Array.from({ length: nlon }, (_, i) => (lon360 ? res / 2 + i * res : -180 + res / 2 + i * res));
  const t0 = Math.round((Date.UTC(year, 0, 1) - Date.UTC(1601, 0, 1)) / 86400000);
  const levels = depth ? Array.from({ length: depth }, (_, i) => 10 * (i + 1)) : [];
  const scale = 0.01;
  const offset = 273.15;
  const field = (t) => {
    const per = nlat * nlon;
    const out = new Float64Array(per * Math.max(1, depth));
    for (let k = 0; k < Math.max(1, depth); k++)
      for (let i = 0; i < nlat; i++)
        for (let j = 0; j < nlon; j++) {
          const idx = k * per + i * nlon + j;
          let v = tasValue(t, lats[i], lons[j] > 180 ? lons[j] - 360 : lons[j]) - 2 * k;
          if (missingEvery && (idx + t) % missingEvery === 0) v = packed ? NaN : FILL;
          out[idx] = packed ? (Number.isNaN(v) ? -32767 : Math.round((v - offset) / scale)) : v;
        }
    return out;
  };
  const varDims = depth ? ['time', 'depth', 'lat', 'lon'] : ['time', 'lat', 'lon'];
  const dataAttrs = packed
    ? { _FillValue: { type: 'short', value: -32767 }, scale_factor: { type: 'float', value: scale }, add_offset: { type: 'float', value: offset } }
    : { _FillValue: { type: 'float', value: FILL }, missing_value: { type: 'float', value: FILL } };
  const nc3 = kind === 'nc3' ? file : `${file}.nc3.tmp`;
  mkdirSync(resolve(file, '..'), { recursive: true });
  writeNc3(nc3, {
    numrecs: nt,
    dims: [{ name: 'time', size: 0 }, ...(depth ? [{ name: 'depth', size: depth }] : []), { name: 'lat', size: nlat }, { name: 'lon', size: nlon }],
    attrs: { Conventions: 'CF-1.5', title: 'subsetd test data', institution: 'subsetd', contact: 'nobody@example.org' },
    vars: [
      { name: 'time', type: 'double', dims: ['time'], attrs: { standard_name: 'time', long_name: 'Time', units: 'days since 1601-1-1 00:00:00', calendar: 'proleptic_gregorian', axis: 'T' }, fill: (t) => [t0 + t] },
      ...(depth ? [{ name: 'depth', type: 'double', dims: ['depth'], attrs: { units: 'm', positive: 'down', axis: 'Z' }, fill: () => levels }] : []),
      { name: 'lat', type: 'double', dims: ['lat'], attrs: { standard_name: 'latitude', long_name: 'Latitude', units: 'degrees_north', axis: 'Y' }, fill: () => lats },
      { name: 'lon', type: 'double', dims: ['lon'], attrs: { standard_name: 'longitude', long_name: 'Longitude', units: 'degrees_east', axis: 'X' }, fill: () => lons },
      {
        name: 'tas',
        type: packed ? 'short' : 'float',
        dims: varDims,
        attrs: { ...dataAttrs, standard_name: 'air_temperature', long_name: 'Near-Surface Air Temperature', units: 'K' },
        fill: (t) => field(t),
      },
    ],
  });
  if (kind === 'nc4') {
    const chunks = `time/1,${depth ? 'depth/1,' : ''}lat/${nlat},lon/${nlon}`;
    // nc7 = NetCDF-4 classic model (this nccopy has no "nc4c" alias).
    execFileSync('nccopy', ['-k', 'nc7', '-d', '5', '-c', chunks, nc3, `${file}.tmp`]);
    rmSync(nc3);
    renameSync(`${file}.tmp`, file);
  }
  return { file, nlat, nlon, nt, lats, lons };
}

/** The small inputs the tests use. Returns their paths by role. */
export function makeTestFixtures(dir) {
  mkdirSync(dir, { recursive: true });
  const f = (name) => join(dir, name);
  const made = {
    nc4: makeIsimipLike({ file: f('tas_small_global_daily_2001_2001.nc'), nt: 5, missingEvery: 997 }),
    nc3: makeIsimipLike({ file: f('tas_nc3_global_daily_2001_2001.nc'), kind: 'nc3', nt: 3, res: 1, descending: false, lon360: true }),
    packed4d: makeIsimipLike({ file: f('tas_packed4d_global_daily_2001_2001.nc'), nt: 2, res: 2, depth: 2, packed: true, missingEvery: 101 }),
  };
  return Object.fromEntries(Object.entries(made).map(([k, v]) => [k, v.file]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const what = process.argv[2] ?? 'test';
  const root = resolve(fileURLToPath(import.meta.url), '../..');
  const t0 = Date.now();
  if (what === 'test') console.log(makeTestFixtures(process.argv[3] ?? join(root, 'test/.tmp/netcdf')));
  else {
    const years = what === 'bench10' ? 10 : 1;
    const dir = process.argv[3] ?? join(root, 'bench/out/netcdf');
    const file = join(dir, `tas_bench_global_daily_2001_${2000 + years}.nc`);
    if (!existsSync(file)) makeIsimipLike({ file, nt: 365 * years });
    console.log(file);
  }
  console.log(`in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
