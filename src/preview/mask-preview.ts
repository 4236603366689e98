/**
 * POST /preview/mask: which cells of a NetCDF file's own grid a region selects, computed by the
 * code a netcdf-subset job runs (operations.ts parses the region as the job's operation would,
 * selection.ts + masks.ts + rasterize.ts select), so the count is the job's. The grid is read
 * once per file identity and kept (bounded); masks are cached by masks.ts as in a worker.
 */
import type { Stats } from 'node:fs';
import { findGrid, gridVars, type Grid } from '../../processors/netcdf/grid.js';
import { openSource, sniff } from '../../processors/netcdf/io/open-source.js';
import { parseOp, type Op } from '../../processors/netcdf/operations.js';
import { select } from '../../processors/netcdf/selection.js';
import { apiBoundaryStore } from '../boundaries/runtime.js';
import { DEFAULT_SET } from '../regions/region-input.js';
import { InputError } from '../processes/types.js';
import { badInput } from '../server/problem.js';
import { fileKey, Lru } from '../data-browser/lru.js';
import { gridInfo, type GridInfo } from '../data-browser/netcdf-info.js';
import { outline } from './outline.js';

interface FileGrid {
  grid: Grid;
  /** Variables on the (lat, lon) grid: the ones a job subsets. */
  vars: string[];
}

const grids = new Lru<Promise<FileGrid>>(16);

async function loadGrid(abs: string, rel: string): Promise<FileGrid> {
  if (!sniff(abs)) throw badInput('path', `"${rel}" is not a NetCDF file`);
  let src;
  try {
    src = await openSource(abs);
  } catch (e) {
    throw badInput('path', `"${rel}": its metadata cannot be read (${(e as Error).message.replaceAll(abs, rel)})`);
  }
  try {
    const grid = findGrid(src);
    const vars = grid ? gridVars(src, grid).map((v) => v.name) : [];
    if (!grid || !vars.length) throw badInput('path', `"${rel}" has no variable on a latitude/longitude grid`);
    return { grid, vars };
  } finally {
    src.close();
  }
}

function fileGrid(abs: string, rel: string, st: Stats): Promise<FileGrid> {
  const key = fileKey(abs, st);
  let p = grids.get(key);
  if (!p) {
    p = loadGrid(abs, rel);
    grids.set(key, p);
    const mine = p;
    mine.catch(() => grids.peek(key) === mine && grids.delete(key));
  }
  return p;
}

/** The region object as one netcdf-subset operation; a boundary id becomes its polygon. */
function regionOp(region: unknown): Op {
  if (!region || typeof region !== 'object' || Array.isArray(region)) throw badInput('region', 'must be an object with one of country, bbox, polygon or boundary');
  const r = region as Record<string, unknown>;
  const given = ['country', 'bbox', 'polygon', 'boundary'].filter((k) => r[k] !== undefined);
  if (given.length !== 1) throw badInput('region', 'give exactly one of country, bbox, polygon or boundary');
  const rename = (e: unknown) => {
    if (e instanceof InputError) throw badInput(e.input.replace(/^operations\.0/, 'region'), e.message);
    throw e;
  };
  try {
    if (r.country !== undefined) return parseOp({ operation: 'mask_country', country: r.country }, 0);
    if (r.bbox !== undefined) return parseOp({ operation: 'mask_bbox', bbox: r.bbox }, 0);
    if (r.polygon !== undefined) return parseOp({ operation: 'mask_polygon', polygon: r.polygon }, 0);
  } catch (e) {
    rename(e);
  }
  const store = apiBoundaryStore();
  const set = r.boundarySet === undefined ? DEFAULT_SET : String(r.boundarySet);
  if (!store) throw badInput('region.boundary', 'no boundary store on this server');
  if (!store.hasSet(set)) throw badInput('region.boundarySet', `unknown boundary set "${set}" (see GET /boundaries)`);
  const b = store.get(set, String(r.boundary));
  if (!b) throw badInput('region.boundary', `no boundary "${String(r.boundary)}" in set "${set}"`);
  // Same as sending its outline as an inline polygon (what the console does for a job).
  return { operation: 'mask_polygon', polygon: { type: 'MultiPolygon', coordinates: b.parts } };
}

export interface MaskPreview {
  cells: number;
  grid: GridInfo;
  geometry: ReturnType<typeof outline>;
}

export async function previewMask(abs: string, rel: string, st: Stats, variable: unknown, region: unknown): Promise<MaskPreview> {
  const op = regionOp(region);
  const { grid, vars } = await fileGrid(abs, rel, st);
  if (variable !== undefined && (typeof variable !== 'string' || !vars.includes(variable)))
    throw badInput('variable', `"${String(variable)}" is not a variable on the file's latitude/longitude grid; one of: ${vars.join(', ')}`);
  let sel;
  try {
    sel = await select([op], grid);
  } catch (e) {
    if (e instanceof InputError) throw badInput(e.input.replace(/^operations\.0/, 'region'), e.message);
    throw e;
  }
  const nlon = grid.lon.length;
  const mask = new Uint8Array(grid.lat.length * nlon);
  let cells = 0;
  for (const i of sel.rows)
    for (const j of sel.cols)
      if (!sel.mask || sel.mask[i * nlon + j]) {
        mask[i * nlon + j] = 1;
        cells++;
      }
  return { cells, grid: gridInfo(grid), geometry: outline(grid, mask) };
}
