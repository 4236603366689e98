/**
 * NetCDF-4's conventions on top of HDF5 (netCDF-C's "NetCDF-4 format" spec): dimensions are
 * dimension scales (CLASS=DIMENSION_SCALE), a variable names its dimensions through
 * DIMENSION_LIST, a dimension without a variable is a scale whose NAME starts with PHONY_DIM,
 * and the bookkeeping attributes are hidden. Shared by both metadata readers (plain JS and h5wasm).
 */
import type { Attr, Dim, NcType, Var } from '../model.js';

export const INTERNAL_ATTRS = new Set(['CLASS', 'NAME', 'DIMENSION_LIST', 'REFERENCE_LIST', '_Netcdf4Coordinates', '_Netcdf4Dimid', '_NCProperties', '_nc3_strict', '_SuperblockVersion', '_IsNetcdf4']);
const PHONY_DIM = 'This is a netCDF dimension but not a netCDF variable';

/** One HDF5 dataset as a metadata reader sees it. */
export interface DatasetInfo {
  name: string;
  shape: number[];
  maxshape: number[];
  type: NcType;
  /** User attributes (internal ones already dropped). */
  attrs: Attr[];
  /** The CLASS and NAME attributes, when present. */
  cls?: string;
  scaleName?: string;
  /** Names of the datasets DIMENSION_LIST points at, or null without one. */
  dimList: string[] | null;
}

export function netcdfModel(datasets: DatasetInfo[]): { dims: Dim[]; vars: Var[] } {
  const dims: Dim[] = [];
  const vars: Var[] = [];
  for (const d of datasets) if (d.cls === 'DIMENSION_SCALE') dims.push({ name: d.name, size: d.shape[0], unlimited: d.maxshape[0] > 2 ** 53 });
  const phony = (size: number, i: number) => {
    const name = `phony_dim_${i}_${size}`;
    if (!dims.some((x) => x.name === name)) dims.push({ name, size, unlimited: false });
    return name;
  };
  for (const d of datasets) {
    const isScale = d.cls === 'DIMENSION_SCALE';
    if (isScale && (d.scaleName ?? '').startsWith(PHONY_DIM)) continue;
    const names = isScale ? [d.name] : d.dimList ?? d.shape.map((n, i) => phony(n, i));
    vars.push({ name: d.name, dims: names, shape: d.shape, type: d.type, attrs: d.attrs });
  }
  return { dims, vars };
}
