/**
 * Cell masks for the masking operations, on a file's own grid, cached per (grid, region) in the
 * thread: a 32-file job over one grid rasterizes its country once. Country and land outlines come
 * from src/boundaries; polygons from the request; mask files (ISIMIP's mask_mask) are NetCDF
 * uploads, or the file an earlier create_mask made, whose grid must be the input's.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { getCountry, getLand } from '../../src/boundaries/index.js';
import { parseRegionGeoJson, type MultiPolygonCoords } from '../../src/regions/geojson.js';
import { findGrid, mod360, type Grid } from './grid.js';
import { numAttr } from './model.js';
import { openSource } from './io/open-source.js';
import type { Op } from './operations.js';
import { readPolygonUpload } from './polygon-upload.js';
import { rasterize } from './rasterize.js';

const cache = new Map<string, Uint8Array>();
const CACHE_MAX = 32;

function cached(key: string, make: () => Uint8Array): Uint8Array {
  let m = cache.get(key);
  if (m) {
    cache.delete(key);
  } else {
    m = make();
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, m);
  return m;
}

export function inBboxMask(g: Grid, [w, s, e, n]: [number, number, number, number]): Uint8Array {
  const nlon = g.lon.length;
  const m = new Uint8Array(g.lat.length * nlon);
  const width = e >= w ? e - w : 360 + e - w;
  const colOk = Array.from(g.lon, (x) => width >= 360 || mod360(x - w) <= width + 1e-9);
  for (let i = 0; i < g.lat.length; i++) {
    if (g.lat[i] < s - 1e-9 || g.lat[i] > n + 1e-9) continue;
    for (let j = 0; j < nlon; j++) if (colOk[j]) m[i * nlon + j] = 1;
  }
  return m;
}

/** The mask of a masking operation (1 = keep), or null for operations that do not mask. */
/** `created`: masks made by create_mask (name -> path), when op is a mask_mask on one of them. */
export async function maskFor(op: Op, i: number, g: Grid, uploadDir: string | undefined, created?: ReadonlyMap<string, string>): Promise<Uint8Array | null> {
  switch (op.operation) {
    case 'mask_bbox':
      return inBboxMask(g, op.bbox);
    case 'mask_country':
      return cached(`${g.key}|country|${op.country}`, () => rasterize(getCountry(op.country)!, g));
    case 'mask_landonly':
      return cached(`${g.key}|land`, () => rasterize(getLand(), g));
    case 'mask_polygon': {
      const parts: MultiPolygonCoords = op.file ? await readPolygonUpload(uploadDir, op.file, `operations.${i}.file`) : parseRegionGeoJson(op.polygon, `operations.${i}.polygon`);
      const key = createHash('sha1').update(JSON.stringify(parts)).digest('hex');
      return cached(`${g.key}|polygon|${key}`, () => rasterize(parts, g));
    }
    case 'mask_mask':
      return maskFromFile(created?.get(op.mask) ?? join(uploadDir ?? '/nonexistent', op.mask), op.var, g);
    default:
      return null;
  }
}

/** ISIMIP-style mask file: cells where `var` is non-zero and not missing are kept. */
async function maskFromFile(path: string, name: string, g: Grid): Promise<Uint8Array> {
  const src = await openSource(path);
  try {
    const mg = findGrid(src);
    const v = src.vars.find((x) => x.name === name);
    if (!mg || !v || v.dims.slice(-2).join() !== [mg.latDim, mg.lonDim].join()) throw new Error(`mask file has no variable "${name}" on a lat/lon grid`);
    const rowOf = new Map(Array.from(mg.lat, (y, i) => [y.toFixed(6), i]));
    const colOf = new Map(Array.from(mg.lon, (x, j) => [mod360(x).toFixed(6), j]));
    const rows = Array.from(g.lat, (y) => rowOf.get(y.toFixed(6)));
    const cols = Array.from(g.lon, (x) => colOf.get(mod360(x).toFixed(6)));
    if (rows.some((r) => r === undefined) || cols.some((c) => c === undefined)) throw new Error("the mask file's grid does not match the input's grid");
    const plane = await src.readPlane(name, 0, 0, mg.lat.length);
    const fill = numAttr(v.attrs, '_FillValue') ?? numAttr(v.attrs, 'missing_value');
    const out = new Uint8Array(g.lat.length * g.lon.length);
    const mlon = mg.lon.length;
    for (let i = 0; i < g.lat.length; i++)
      for (let j = 0; j < g.lon.length; j++) {
        const x = plane[rows[i]! * mlon + cols[j]!];
        out[i * g.lon.length + j] = x !== 0 && x === x && x !== fill ? 1 : 0;
      }
    return out;
  } finally {
    src.close();
  }
}
