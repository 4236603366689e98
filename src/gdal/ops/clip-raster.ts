/**
 * clip-raster inside the GDAL child: warp with the region as cutline (pixels outside become
 * nodata), or a plain window for bbox crops, then a Cloud Optimized GeoTIFF. Regions across the
 * antimeridian read a globally repeated VRT, so the output stays as wide as the region.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from 'gdal-async';
import type { Bbox } from '../../regions/antimeridian.js';
import type { MultiPolygonCoords } from '../../regions/geojson.js';
import type { OpContext } from '../child-protocol.js';
import { validPolygons, writeCutline } from './cutline.js';
import type { Gdal } from './gdal-type.js';
import { OpInputError } from './op-error.js';
import { openRaster } from './open-raster.js';
import { isGlobalLon, wrapVrtXml } from './wrap-vrt.js';

export interface ClipRasterArgs {
  src: string;
  variable?: string;
  /** Compact EPSG:4326 polygons (longitudes may pass 180) and their bbox. */
  parts: MultiPolygonCoords;
  bbox: Bbox;
  crop: 'polygon' | 'bbox';
  out: string;
  tmpDir: string;
}

export interface ClipRasterResult {
  width: number;
  height: number;
  bands: number;
  dataType: string;
  nodata: number | null;
  bbox: [number, number, number, number];
  crs: string | null;
  crsAssumed: boolean;
  wrapped: boolean;
}

const COG_OPTIONS = ['-of', 'COG', '-co', 'COMPRESS=DEFLATE', '-co', 'NUM_THREADS=ALL_CPUS', '-co', 'BIGTIFF=IF_SAFER'];

export async function clipRaster(gdal: Gdal, a: ClipRasterArgs, ctx: OpContext): Promise<ClipRasterResult> {
  mkdirSync(a.tmpDir, { recursive: true });
  const tmp = join(a.tmpDir, `clip-${process.pid}-${process.hrtime.bigint()}`);
  try {
    const opened = await openRaster(gdal, a.src, a.variable, a.tmpDir);
    let src = opened.ds;
    let { parts, bbox } = a;
    let wrapped = false;
    if (src.srs!.isGeographic()) {
      const fit = fitLongitudes(src, bbox);
      parts = fit === 0 ? parts : parts.map((p) => p.map((r) => r.map(([x, y]) => [x + fit, y] as [number, number])));
      bbox = [bbox[0] + fit, bbox[1], bbox[2] + fit, bbox[3]];
      if (!inside(src, bbox) && isGlobalLon(src)) {
        writeFileSync(`${tmp}.wrap.vrt`, wrapVrtXml(src, opened.name));
        src = await gdal.openAsync(`${tmp}.wrap.vrt`);
        wrapped = true;
      }
    }
    const nodata = outputNodata(src);
    if (a.crop === 'bbox') {
      const [w, s, e, n] = bbox;
      const out = await gdal.translateAsync(a.out, src, [...COG_OPTIONS, '-projwin', `${w}`, `${n}`, `${e}`, `${s}`, '-projwin_srs', 'EPSG:4326'], {
        progress_cb: (f: number) => ctx.progress(f * 100, 'cropping'),
      });
      return describe(out, opened.assumedCrs, wrapped, nodata);
    }
    writeCutline(`${tmp}.cutline.geojson`, validPolygons(gdal, parts));
    const warpOpts = ['-of', 'GTiff', '-co', 'TILED=YES', '-co', 'BIGTIFF=IF_SAFER', '-cutline', `${tmp}.cutline.geojson`, '-crop_to_cutline', '-wm', '256', '-wo', 'NUM_THREADS=ALL_CPUS'];
    if (nodata !== null) warpOpts.push('-dstnodata', String(nodata));
    let warped: Dataset;
    try {
      warped = await gdal.warpAsync(`${tmp}.tif`, null, [src], warpOpts, { progress_cb: (f: number) => ctx.progress(f * 60, 'clipping') });
    } catch (e) {
      const msg = (e as Error).message;
      if (/did not intersect|empty|outside/i.test(msg)) throw new OpInputError('region', `does not overlap the dataset (${msg})`);
      throw e;
    }
    warped.flush();
    const cog = await gdal.translateAsync(a.out, warped, COG_OPTIONS, { progress_cb: (f: number) => ctx.progress(60 + f * 40, 'writing COG') });
    warped.close();
    return describe(cog, opened.assumedCrs, wrapped, nodata);
  } finally {
    rmSync(a.tmpDir, { recursive: true, force: true });
  }
}

/** Shift by ±360 so the region lands on the source's longitudes (a 0..360 grid, a region at 170..190). */
function fitLongitudes(src: Dataset, [w, , e]: Bbox): number {
  const [x0, x1] = lonExtent(src);
  let best = 0;
  let bestOverlap = -Infinity;
  for (const k of [0, -360, 360]) {
    const overlap = Math.min(x1, e + k) - Math.max(x0, w + k);
    if (overlap > bestOverlap + 1e-9) {
      bestOverlap = overlap;
      best = k;
    }
  }
  return best;
}

function lonExtent(src: Dataset): [number, number] {
  const gt = src.geoTransform!;
  const a = gt[0];
  const b = gt[0] + src.rasterSize.x * gt[1];
  return [Math.min(a, b), Math.max(a, b)];
}

function inside(src: Dataset, [w, , e]: Bbox): boolean {
  const [x0, x1] = lonExtent(src);
  const tol = Math.abs(src.geoTransform![1]);
  return w >= x0 - tol && e <= x1 + tol;
}

/** The source's nodata, else one that cannot be a value: NaN for floats, the type's extreme for integers. */
function outputNodata(ds: Dataset): number | null {
  const b = ds.bands.get(1);
  if (b.noDataValue !== null) return b.noDataValue;
  const byType: Record<string, number> = { Byte: 0, Int8: -128, UInt16: 65535, Int16: -32768, UInt32: 4294967295, Int32: -2147483648, Float32: NaN, Float64: NaN };
  return byType[b.dataType ?? ''] ?? null;
}

function describe(ds: Dataset, crsAssumed: boolean, wrapped: boolean, nodata: number | null): ClipRasterResult {
  const gt = ds.geoTransform!;
  const { x, y } = ds.rasterSize;
  const xs = [gt[0], gt[0] + x * gt[1]];
  const ys = [gt[3], gt[3] + y * gt[5]];
  const code = ds.srs?.getAuthorityCode(null);
  const res: ClipRasterResult = {
    width: x,
    height: y,
    bands: ds.bands.count(),
    dataType: ds.bands.get(1).dataType ?? 'unknown',
    nodata,
    bbox: [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
    crs: code ? `EPSG:${code}` : (ds.srs?.toWKT() ?? null),
    crsAssumed,
    wrapped,
  };
  ds.close();
  return res;
}
