/**
 * create_mask (ISIMIP's): the uploaded shape as a NetCDF mask file, written once per job before
 * the files are processed, in the job's dir under its `mask` name. Laid out as isimip-files-api
 * writes it: dims lon, lat; `lon`/`lat` doubles (_FillValue 1e20); one int8 variable m_<i> per
 * feature, (lat, lon), 1 where the cell centre is inside the feature and _FillValue -128 elsewhere,
 * deflated, with the feature's properties as attributes. The grid is the first input's own
 * (isimip-files-api builds a global grid of the same size; for ISIMIP's 0.5° files that is the
 * same grid, for any other the mask now matches the inputs it is meant for).
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { findGrid, type Grid } from './grid.js';
import type { Attr } from './model.js';
import { openSource } from './io/open-source.js';
import { Nc4Writer, type OutVar } from './io/nc4-writer.js';
import type { CreateMaskOp } from './operations.js';
import { readPolygonFeatures, type ShapeFeature } from './polygon-upload.js';
import { rasterize } from './rasterize.js';
import { checkAbort } from './task.js';

export const MASK_FILL = -128;
const COORD_FILL = 1e20;
/** A netCDF attribute name; names starting "_" are netCDF's own (_FillValue, _nc3_strict). */
const ATTR_NAME = /^[a-z0-9][a-z0-9_.@+-]{0,99}$/;

const char = (name: string, value: string): Attr => ({ name, type: 'char', value });
const coordAttrs = (standard: string, long: string, units: string, axis: string): Attr[] => [
  { name: '_FillValue', type: 'double', value: [COORD_FILL] },
  char('standard_name', standard),
  char('long_name', long),
  char('units', units),
  char('axis', axis),
];

/**
 * Feature properties as attributes: keys lowercased, only strings and numbers (as there; null,
 * booleans, lists and objects are left out). Whole numbers within int32 are NC_INT, the rest
 * double: the classic model has no 64-bit integers. A later key lowercasing to the same name wins.
 */
export function propertyAttrs(props: Record<string, unknown>): Attr[] {
  const out = new Map<string, Attr>();
  for (const [key, v] of Object.entries(props)) {
    const name = key.toLowerCase();
    if (!ATTR_NAME.test(name)) continue;
    if (typeof v === 'string') out.set(name, char(name, v));
    else if (typeof v === 'number' && Number.isFinite(v)) out.set(name, { name, type: Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 'int' : 'double', value: [v] });
  }
  return [...out.values()];
}

export async function writeMaskFile(path: string, g: Grid, features: ShapeFeature[], history: string, signal: AbortSignal): Promise<void> {
  const vars: OutVar[] = [
    { name: 'lon', dims: ['lon'], type: 'double', attrs: coordAttrs('longitude', 'Longitude', 'degrees_east', 'X'), data: g.lon },
    { name: 'lat', dims: ['lat'], type: 'double', attrs: coordAttrs('latitude', 'Latitude', 'degrees_north', 'Y'), data: g.lat },
    // No `data`: streamed, so each mask is one deflated chunk of the whole (lat, lon) shape and
    // only one is in memory at a time, however many features the shape has.
    ...features.map((f, i): OutVar => ({ name: `m_${i}`, dims: ['lat', 'lon'], type: 'byte', attrs: [{ name: '_FillValue', type: 'byte', value: [MASK_FILL] }, ...propertyAttrs(f.properties)] })),
  ];
  const dims = [
    { name: 'lon', size: g.lon.length, unlimited: false },
    { name: 'lat', size: g.lat.length, unlimited: false },
  ];
  const writer = await Nc4Writer.create(path, { dims, vars, globalAttrs: [char('history', history)] });
  try {
    for (const [i, f] of features.entries()) {
      checkAbort(signal);
      const inside = rasterize(f.parts, g);
      await writer.putPlane(`m_${i}`, 0, Int8Array.from(inside, (x) => (x ? 1 : MASK_FILL)));
    }
    writer.finish();
  } catch (e) {
    writer.abort();
    throw e;
  }
}

async function gridOf(path: string): Promise<Grid> {
  const src = await openSource(path);
  try {
    const g = findGrid(src);
    if (!g) throw new Error('no latitude/longitude coordinate variables');
    return g;
  } finally {
    src.close();
  }
}

/**
 * Runs the job's create_mask operations on the grid of `firstInput`: writes each mask and copies
 * its shape upload into `workDir`. Returns the files to hand out (shapes and masks) and the
 * created masks by name, for the mask_mask operations after them.
 */
export async function createMasks(creates: CreateMaskOp[], firstInput: string, uploadDir: string | undefined, workDir: string, history: string, signal: AbortSignal) {
  const files = new Set<string>();
  const made = new Map<string, string>();
  if (!creates.length) return { files: [], made };
  let g: Grid;
  try {
    g = await gridOf(firstInput);
  } catch (e) {
    throw new Error(`create_mask needs the grid of the first input: ${(e as Error).message}`);
  }
  for (const op of creates) {
    const features = await readPolygonFeatures(uploadDir, op.file, 'create_mask.file');
    await writeMaskFile(join(workDir, op.mask), g, features, `${history} (create_mask ${op.file} -> ${op.mask})`, signal);
    copyFileSync(join(uploadDir!, op.file), join(workDir, op.file));
    files.add(op.file).add(op.mask);
    made.set(op.mask, join(workDir, op.mask));
  }
  return { files: [...files], made };
}
