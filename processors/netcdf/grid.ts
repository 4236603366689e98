/**
 * The horizontal grid of an input: which variables are latitude and longitude, and the cell
 * selections operations make on it. Any monotonic lat/lon axes work (ascending or descending
 * latitude, -180..180 or 0..360 longitude, any resolution).
 */
import { createHash } from 'node:crypto';
import { strAttr, type Source, type Var } from './model.js';

export interface Grid {
  latDim: string;
  lonDim: string;
  lat: Float64Array;
  lon: Float64Array;
  /** Identifies the grid for mask caching. */
  key: string;
}

const isLat = (v: Var) => /^(lat|latitude|y|rlat|nav_lat)$/i.test(v.name) || strAttr(v.attrs, 'standard_name') === 'latitude' || /^degrees?_?n(orth)?$/i.test(strAttr(v.attrs, 'units') ?? '');
const isLon = (v: Var) => /^(lon|longitude|x|rlon|nav_lon)$/i.test(v.name) || strAttr(v.attrs, 'standard_name') === 'longitude' || /^degrees?_?e(ast)?$/i.test(strAttr(v.attrs, 'units') ?? '');

/** Returns null when the file has no 1-D lat/lon coordinate variables. */
export function findGrid(src: Source): Grid | null {
  const coords = src.vars.filter((v) => v.dims.length === 1 && v.dims[0] === v.name);
  const latV = coords.find(isLat);
  const lonV = coords.find((v) => v !== latV && isLon(v));
  if (!latV || !lonV) return null;
  const lat = Float64Array.from(src.readAll(latV.name));
  const lon = Float64Array.from(src.readAll(lonV.name));
  const key = createHash('sha1').update(new Uint8Array(lat.buffer)).update(new Uint8Array(lon.buffer)).digest('hex');
  return { latDim: latV.name, lonDim: lonV.name, lat, lon, key };
}

/** Variables laid out (..., lat, lon): the ones that are subset plane by plane. */
export function gridVars(src: Source, g: Grid): Var[] {
  return src.vars.filter((v) => v.dims.length >= 2 && v.dims[v.dims.length - 2] === g.latDim && v.dims[v.dims.length - 1] === g.lonDim);
}

export const mod360 = (x: number) => ((x % 360) + 360) % 360;

/** Row indices (in file order) whose latitude lies in [south, north]. */
export function rowsIn(g: Grid, south: number, north: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < g.lat.length; i++) if (g.lat[i] >= south - 1e-9 && g.lat[i] <= north + 1e-9) out.push(i);
  return out;
}

/**
 * Column indices whose longitude lies in [west, east] going east from west (west > east crosses
 * the antimeridian), ordered from west, so a window across ±180 comes out contiguous.
 */
export function colsIn(g: Grid, west: number, east: number): number[] {
  // [-180, 360] (ISIMIP's "whole grid") spans more than a turn: every column.
  const width = east >= west ? east - west : 360 + east - west;
  const hits: Array<[number, number]> = [];
  for (let j = 0; j < g.lon.length; j++) {
    let d = mod360(g.lon[j] - west);
    if (d > 360 - 1e-9) d = 0;
    if (width >= 360 || d <= width + 1e-9) hits.push([d, j]);
  }
  return hits.sort((a, b) => a[0] - b[0]).map((h) => h[1]);
}

export function nearest(values: Float64Array, x: number, circular: boolean): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < values.length; i++) {
    const raw = Math.abs(values[i] - x);
    const d = circular ? Math.min(mod360(raw), 360 - mod360(raw)) : raw;
    if (d < bestD - 1e-12) {
      best = i;
      bestD = d;
    }
  }
  return best;
}

/**
 * Output longitudes for a column selection: the file's values, shifted by whole turns only
 * where needed to keep them increasing across the antimeridian.
 */
export function outputLons(g: Grid, cols: number[]): Float64Array {
  const out = new Float64Array(cols.length);
  for (let k = 0; k < cols.length; k++) {
    let x = g.lon[cols[k]];
    if (k > 0) while (x < out[k - 1]) x += 360;
    out[k] = x;
  }
  return out;
}
