/**
 * What the data browser shows of a NetCDF file, read with netcdf-subset's own reader (plain JS
 * for NetCDF-3 and the HDF5 structures netCDF-C writes, as job validation does in this thread):
 * variables, dimensions, the lat/lon grid the processors would use, and the time range.
 */
import { cfDateFormatter } from '../../processors/netcdf/cf-time.js';
import { findGrid, gridVars, type Grid } from '../../processors/netcdf/grid.js';
import { openSource } from '../../processors/netcdf/io/open-source.js';
import { strAttr, type Source, type Var } from '../../processors/netcdf/model.js';

export interface GridInfo {
  /** Cell edges (centres ± half a cell), in the file's own longitudes. */
  west: number;
  east: number;
  south: number;
  north: number;
  dlon: number;
  dlat: number;
  nlon: number;
  nlat: number;
  latOrder: 'ascending' | 'descending';
  lon0360: boolean;
}

export interface NetcdfInfo {
  format: 'netcdf';
  kind: 'NetCDF-3' | 'NetCDF-4';
  variables: Array<{ name: string; dims: string[]; shape: number[]; type: string; units?: string; long_name?: string; standard_name?: string; onGrid: boolean }>;
  dimensions: Record<string, number>;
  unlimited: string[];
  grid: GridInfo | null;
  time: { start: string; end: string; steps: number; units: string; calendar: string } | null;
}

const round = (x: number) => Math.round(x * 1e9) / 1e9;

/** [min, max] without spreading (a 0.01° axis has 36,000 values). */
function extent(a: Float64Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of a) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

export function gridInfo(g: Grid): GridInfo {
  const span = (a: Float64Array) => (a.length > 1 ? Math.abs(a[a.length - 1] - a[0]) / (a.length - 1) : 0);
  const dlon = span(g.lon);
  const dlat = span(g.lat);
  const [lonMin, lonMax] = extent(g.lon);
  const [latMin, latMax] = extent(g.lat);
  return {
    west: round(lonMin - dlon / 2),
    east: round(lonMax + dlon / 2),
    south: round(Math.max(-90, latMin - dlat / 2)),
    north: round(Math.min(90, latMax + dlat / 2)),
    dlon: round(dlon),
    dlat: round(dlat),
    nlon: g.lon.length,
    nlat: g.lat.length,
    latOrder: g.lat.length > 1 && g.lat[1] < g.lat[0] ? 'descending' : 'ascending',
    lon0360: lonMax > 180,
  };
}

function timeVar(src: Source): Var | undefined {
  const coords = src.vars.filter((v) => v.dims.length === 1 && v.dims[0] === v.name);
  return (
    coords.find((v) => strAttr(v.attrs, 'standard_name') === 'time' || strAttr(v.attrs, 'axis') === 'T') ??
    coords.find((v) => /^time$/i.test(v.name) && /since/i.test(strAttr(v.attrs, 'units') ?? ''))
  );
}

export async function netcdfInfo(path: string): Promise<NetcdfInfo> {
  const src = await openSource(path);
  try {
    const g = findGrid(src);
    const onGrid = new Set(g ? gridVars(src, g).map((v) => v.name) : []);
    const tv = timeVar(src);
    let time: NetcdfInfo['time'] = null;
    if (tv && tv.shape[0] > 0) {
      const values = src.readAll(tv.name);
      const units = strAttr(tv.attrs, 'units') ?? '';
      const calendar = strAttr(tv.attrs, 'calendar') ?? 'standard';
      const fmt = cfDateFormatter(units, calendar);
      time = { start: fmt(values[0]), end: fmt(values[values.length - 1]), steps: values.length, units, calendar };
    }
    return {
      format: 'netcdf',
      kind: src.format,
      variables: src.vars.map((v) => ({
        name: v.name,
        dims: v.dims,
        shape: v.shape,
        type: v.type,
        ...opt('units', strAttr(v.attrs, 'units')),
        ...opt('long_name', strAttr(v.attrs, 'long_name')),
        ...opt('standard_name', strAttr(v.attrs, 'standard_name')),
        onGrid: onGrid.has(v.name),
      })),
      dimensions: Object.fromEntries(src.dims.map((d) => [d.name, d.size])),
      unlimited: src.dims.filter((d) => d.unlimited).map((d) => d.name),
      grid: g ? gridInfo(g) : null,
      time,
    };
  } finally {
    src.close();
  }
}

const opt = (k: string, v: string | undefined) => (v === undefined ? {} : { [k]: v });
