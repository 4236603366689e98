/**
 * Shared by the time-series cache tests: inputs in every layout the processor reads, the grid
 * cell a point selects, and a point series formatted as netcdf-subset's point CSV formats it.
 */
import { join } from 'node:path';
import { cfDateFormatter } from '../../processors/netcdf/cf-time.js';
import { findGrid, nearest } from '../../processors/netcdf/grid.js';
import { openSource } from '../../processors/netcdf/io/open-source.js';
import { numAttr, strAttr, type NumArray } from '../../processors/netcdf/model.js';
import { formatG } from '../../processors/netcdf/printf-g.js';
// @ts-expect-error plain JS script without types
import { makeIsimipLike, makeTestFixtures } from '../../scripts/make-netcdf-fixtures.mjs';

export type Layout = 'nc4' | 'nc3' | 'packed4d' | 'packed360' | 'nc3packed4d' | 'long';

/** Relative paths (under `root`) by layout; `long` has 100 planes for the multi-segment builds. */
export function makeTsFixtures(root: string): Record<Layout, string> {
  const std = makeTestFixtures(root) as Record<'nc4' | 'nc3' | 'packed4d', string>;
  const more = {
    // packed shorts (scale_factor/add_offset, _FillValue), 0..360 longitudes, descending latitude
    packed360: makeIsimipLike({ file: join(root, 'tas_packed360_global_daily_2001_2001.nc'), nt: 40, res: 2, packed: true, lon360: true, descending: true, missingEvery: 37 }).file,
    // NetCDF-3, packed, with a leading level dimension (time, depth, lat, lon)
    nc3packed4d: makeIsimipLike({ file: join(root, 'tas_nc3packed4d_global_daily_2001_2001.nc'), kind: 'nc3', nt: 6, res: 3, depth: 2, packed: true, missingEvery: 7 }).file,
    long: makeIsimipLike({ file: join(root, 'tas_long_global_daily_2001_2001.nc'), nt: 100, res: 4, missingEvery: 29 }).file,
  };
  const all = { ...std, ...more } as Record<Layout, string>;
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, String(v).slice(root.length + 1)])) as Record<Layout, string>;
}

/** The (row, col) select_point picks for a point, as selection.ts picks it. */
export async function cellOf(file: string, lon: number, lat: number): Promise<[number, number]> {
  const src = await openSource(file);
  try {
    const g = findGrid(src)!;
    return [nearest(g.lat, lat, false), nearest(g.lon, lon, true)];
  } finally {
    src.close();
  }
}

/**
 * The CSV netcdf-subset writes for a point (series.ts: missing and fill values empty, unpacked
 * as a·x + b, printed as cdo prints, dates from the time axis), made from stored values.
 */
export async function pointCsvFrom(file: string, varName: string, stored: NumArray, header = true): Promise<string> {
  const src = await openSource(file);
  try {
    const v = src.vars.find((x) => x.name === varName)!;
    const f32 = v.type === 'float';
    const [fa, ma] = ['_FillValue', 'missing_value'].map((n) => {
      const x = numAttr(v.attrs, n);
      return x === undefined ? NaN : f32 ? Math.fround(x) : x;
    });
    const scale = numAttr(v.attrs, 'scale_factor') ?? 1;
    const offset = numAttr(v.attrs, 'add_offset') ?? 0;
    const timeVar = src.vars.find((x) => x.name === v.dims[0])!;
    const times = src.readAll(timeVar.name);
    const fmt = cfDateFormatter(strAttr(timeVar.attrs, 'units'), strAttr(timeVar.attrs, 'calendar') ?? 'standard');
    const lines = header ? ['date,value'] : [];
    for (let i = 0; i < stored.length; i++) {
      const x = stored[i];
      const val = x === fa || x === ma || x !== x ? NaN : (x / 1) * scale + offset;
      lines.push(`${fmt(times[i])},${val === val ? formatG(val, v.type === 'double' ? 15 : 7) : ''}`);
    }
    return `${lines.join('\n')}\n`;
  } finally {
    src.close();
  }
}

/** Bytes of a typed array, for bit-exact comparisons (NaN payloads, -0). */
export const bytesOf = (a: NumArray) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Every plane's value of one cell, read from the source the way the processor reads it. */
export async function sourceSeries(file: string, varName: string, row: number, col: number): Promise<NumArray> {
  const src = await openSource(file);
  try {
    const v = src.vars.find((x) => x.name === varName)!;
    const planes = v.shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const first = await src.readPlane(varName, 0, row, row + 1);
    const out = new (first.constructor as new (n: number) => NumArray)(planes);
    for (let p = 0; p < planes; p++) out[p] = (await src.readPlane(varName, p, row, row + 1))[col];
    return out;
  } finally {
    src.close();
  }
}
