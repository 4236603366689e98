/**
 * clip-vector inside the GDAL child. "clip": ogr2ogr -clipsrc semantics (geometries cut at the
 * boundary, the region reprojected to each layer's CRS by GDAL). "intersects": whole features
 * that touch the region, found through the layer's spatial filter (exact GEOS test after the
 * bbox, as OGRLayer::FilterGeometry does for non-rectangular filters).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from 'gdal-async';
import type { MultiPolygonCoords } from '../../regions/geojson.js';
import type { OpContext } from '../child-protocol.js';
import { validPolygons, writeCutline } from './cutline.js';
import type { Gdal } from './gdal-type.js';
import { OpInputError } from './op-error.js';

export type VectorFormat = 'GPKG' | 'GeoJSON' | 'FlatGeobuf';

export interface ClipVectorArgs {
  src: string;
  layer?: string;
  /** EPSG:4326 polygons within -180..180 (cut at the antimeridian, like the data). */
  parts: MultiPolygonCoords;
  mode: 'clip' | 'intersects';
  format: VectorFormat;
  out: string;
  tmpDir: string;
}

export interface ClipVectorResult {
  layers: Array<{ name: string; features: number; crs: string | null }>;
}

export async function clipVector(gdal: Gdal, a: ClipVectorArgs, ctx: OpContext): Promise<ClipVectorResult> {
  mkdirSync(a.tmpDir, { recursive: true });
  try {
    let src: Dataset;
    try {
      src = await gdal.openAsync(a.src.endsWith('.zip') ? `/vsizip/${a.src}` : a.src);
    } catch (e) {
      throw new OpInputError('dataset', `GDAL cannot read it as vector data: ${(e as Error).message}`);
    }
    const names = src.layers.map((l) => l.name);
    if (!names.length) throw new OpInputError('dataset', 'has no vector layers');
    if (a.layer && !names.includes(a.layer)) throw new OpInputError('layer', `no layer "${a.layer}"; layers: ${names.join(', ')}`);
    const layers = a.layer ? [a.layer] : names;
    if (a.format === 'FlatGeobuf' && layers.length > 1) throw new OpInputError('layer', `FlatGeobuf holds one layer; name one of: ${names.join(', ')}`);
    const region = validPolygons(gdal, a.parts);
    // CRS84, not EPSG:4326: the latter's lat/lon axis order would swap coordinates on export and transform.
    region.srs = gdal.SpatialReference.fromUserInput('OGC:CRS84');
    const common = ['-f', a.format, ...(a.format === 'GeoJSON' ? ['-t_srs', 'EPSG:4326', '-lco', 'RFC7946=YES'] : []), '-nlt', 'PROMOTE_TO_MULTI'];
    if (a.mode === 'clip') {
      const cut = join(a.tmpDir, 'region.geojson');
      writeCutline(cut, region);
      const out = await gdal.vectorTranslateAsync(a.out, src, [...common, '-clipsrc', cut, ...layers], { progress_cb: (f: number) => ctx.progress(f * 100, 'clipping') });
      return describe(gdal, out, a.out);
    }
    // intersects: filter each layer by the region in its own CRS, then copy what passes.
    for (const name of layers) {
      const layer = src.layers.get(name);
      const g = region.clone();
      g.srs = region.srs;
      // gdal-async keeps every CRS in lon/lat (traditional GIS) order, so this is a plain reprojection.
      if (layer.srs) g.transformTo(layer.srs);
      layer.setSpatialFilter(g);
    }
    const filtered = await copyFiltered(gdal, src, layers, a, common, ctx);
    return describe(gdal, filtered, a.out);
  } finally {
    rmSync(a.tmpDir, { recursive: true, force: true });
  }
}

/** Copies filtered layers feature by feature into a new dataset of the requested format. */
async function copyFiltered(gdal: Gdal, src: Dataset, layers: string[], a: ClipVectorArgs, common: string[], ctx: OpContext): Promise<Dataset> {
  // vectorTranslate ignores a layer's spatial filter, so copy into memory first, then translate.
  const mem = gdal.open('mem', 'w', 'Memory');
  let done = 0;
  for (const name of layers) {
    const inL = src.layers.get(name);
    const outL = mem.layers.create(name, inL.srs, inL.geomType);
    inL.fields.forEach((f) => outL.fields.add(f));
    for (let f = inL.features.first(); f; f = inL.features.next()) {
      outL.features.add(f);
      if (++done % 1000 === 0) ctx.progress(50 * (done / Math.max(done, inL.features.count())), 'selecting');
    }
  }
  try {
    return await gdal.vectorTranslateAsync(a.out, mem, common, { progress_cb: (f: number) => ctx.progress(50 + f * 50, 'writing') });
  } finally {
    mem.close(); // the in-memory copy would otherwise live as long as the GDAL child
  }
}

/**
 * What was written, read back from the file: a dataset still open for writing does not know yet
 * (GeoJSON's driver writes features and the CRS only on close: 0 features, no CRS).
 */
function describe(gdal: Gdal, written: Dataset, path: string): ClipVectorResult {
  written.close();
  const ds = gdal.open(path);
  try {
    return {
      layers: ds.layers.map((l) => ({
        name: l.name,
        features: l.features.count(),
        crs: l.srs ? (l.srs.getAuthorityCode(null) ? `EPSG:${l.srs.getAuthorityCode(null)}` : l.srs.toProj4()) : null,
      })),
    };
  } finally {
    ds.close();
  }
}
