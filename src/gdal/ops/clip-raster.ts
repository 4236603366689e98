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
import { cutlineLayer, transformToSource, validPolygons } from './cutline.js';
import type { Gdal } from './gdal-type.js';
import { OpInputError } from './op-error.js';
import { openRaster } from './open-raster.js';
import type { Compression } from './compression.js';
import { writeSparseWindow } from './sparse-window.js';
import { isGlobalLon, wrapVrtXml } from './wrap-vrt.js';

export interface ClipRasterArgs {
  src: string;
  variable?: string;
  /** Compact EPSG:4326 polygons (longitudes may pass 180) and their bbox. */
  parts: MultiPolygonCoords;
  bbox: Bbox;
  crop: 'polygon' | 'bbox';
  /** Internal overviews (nearest) in the COG; default true. */
  overviews?: boolean;
  /** COG compression; default zstd. */
  compression?: Compression;
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
  /** Seconds spent in each step (window, mask, overviews, cog), and the fraction of the window read (touched). */
  stages?: Record<string, number>;
}

/** ZSTD is given level 1: see ./compression.ts. */
const cogOptions = (c: Compression = 'zstd') => [
  '-of', 'COG', '-co', `COMPRESS=${c === 'none' ? 'NONE' : c.toUpperCase()}`, ...(c === 'zstd' ? ['-co', 'LEVEL=1'] : []),
  '-co', 'NUM_THREADS=ALL_CPUS', '-co', 'BIGTIFF=IF_SAFER',
];

export async function clipRaster(gdal: Gdal, a: ClipRasterArgs, ctx: OpContext): Promise<ClipRasterResult> {
  mkdirSync(a.tmpDir, { recursive: true });
  const tmp = join(a.tmpDir, `clip-${process.pid}-${process.hrtime.bigint()}`);
  // Closed explicitly: left to the garbage collector, a dataset keeps its blocks in GDAL's
  // cache (up to GDAL_CACHEMAX), and the next clip's peak starts from there.
  const open: Dataset[] = [];
  try {
    const opened = await openRaster(gdal, a.src, a.variable, a.tmpDir);
    open.push(opened.ds);
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
        open.push(src);
        wrapped = true;
      }
    }
    const nodata = outputNodata(src);
    if (a.crop === 'bbox') {
      const [w, s, e, n] = bbox;
      const out = await gdal.translateAsync(a.out, src, [...cogOptions(a.compression), '-projwin', `${w}`, `${n}`, `${e}`, `${s}`, '-projwin_srs', 'EPSG:4326'], {
        progress_cb: (f: number) => ctx.progress(f * 100, 'cropping'),
      });
      return describe(out, opened.assumedCrs, wrapped, nodata);
    }
    // Not gdalwarp: the output grid is the source grid, so a window copy, an inverse burn of
    // nodata outside the polygon and a COG copy give gdalwarp's pixels in a third of its time.
    let geom = validPolygons(gdal, parts);
    geom.srs = gdal.SpatialReference.fromUserInput('OGC:CRS84');
    let extent = geom.getEnvelope();
    if (!src.srs!.isGeographic()) {
      const t = transformToSource(gdal, geom, src);
      extent = t.vertices.getEnvelope();
      geom = t.dense;
    }
    const win = pixelWindow(src, extent);
    if (!win) throw new OpInputError('region', 'does not overlap the dataset');
    const stages: Record<string, number> = {};
    let t = performance.now();
    const lap = (name: string) => {
      const now = performance.now();
      stages[name] = Math.round(now - t) / 1000;
      t = now;
    };
    const ndArgs = nodata === null ? [] : ['-a_nodata', String(nodata)];
    // Same CRS object as the raster's: gdal_rasterize then transforms nothing (longitudes past 180 stay).
    const cutline = cutlineLayer(gdal, geom, src.srs!);
    open.push(cutline);
    // Only where the polygon is can pixels survive the burn: without a nodata value to leave
    // elsewhere, the whole window is copied.
    if (nodata !== null) stages.touched = Math.round((await writeSparseWindow(gdal, src, win, cutline, `${tmp}.win.vrt`, ndArgs)) * 1000) / 1000;
    const winSrc = nodata !== null ? await gdal.openAsync(`${tmp}.win.vrt`) : src;
    if (winSrc !== src) open.push(winSrc);
    const cut = await gdal.translateAsync(`${tmp}.tif`, winSrc, ['-of', 'GTiff', '-co', 'TILED=YES', '-co', 'BIGTIFF=IF_SAFER', ...(winSrc === src ? ['-srcwin', ...win.map(String)] : []), ...ndArgs], {
      progress_cb: (f: number) => ctx.progress(f * 35, 'reading window'),
    });
    open.push(cut);
    lap('window');
    if (nodata !== null) {
      // Every band: gdal_rasterize burns band 1 only unless told otherwise (one -b and -burn each).
      const burn = Array.from({ length: cut.bands.count() }, (_, i) => ['-b', String(i + 1), '-burn', String(nodata)]).flat();
      await gdal.rasterizeAsync(cut, cutline, ['-i', ...burn], { progress_cb: (f: number) => ctx.progress(35 + f * 10, 'masking') });
    }
    lap('mask');
    const levels = overviewLevels(cut.rasterSize.x, cut.rasterSize.y);
    if (a.overviews !== false && levels.length) await cut.buildOverviewsAsync('NEAREST', levels, undefined, { progress_cb: (f: number) => ctx.progress(45 + f * 10, 'overviews') });
    cut.flush();
    lap('overviews');
    const cog = await gdal.translateAsync(a.out, cut, [...cogOptions(a.compression), '-co', `OVERVIEWS=${a.overviews === false ? 'NONE' : 'AUTO'}`], { progress_cb: (f: number) => ctx.progress(55 + f * 45, 'writing COG') });
    lap('cog');
    return { ...describe(cog, opened.assumedCrs, wrapped, nodata), stages };
  } finally {
    for (const d of open.reverse()) {
      try {
        d.close();
      } catch {
        /* a failing close must not hide the clip's own error */
      }
    }
    rmSync(a.tmpDir, { recursive: true, force: true });
  }
}

/**
 * Source pixels within an envelope. Snapped inward, as gdalwarp 3.6 -crop_to_cutline does
 * (measured: Germany gives 5.86..15.01 for an outline at 5.859..15.018): same grid, same pixels.
 */
function pixelWindow(src: Dataset, e: { minX: number; maxX: number; minY: number; maxY: number }): [number, number, number, number] | null {
  const gt = src.geoTransform!;
  const { x: w, y: h } = src.rasterSize;
  const xs = [(e.minX - gt[0]) / gt[1], (e.maxX - gt[0]) / gt[1]];
  const ys = [(e.maxY - gt[3]) / gt[5], (e.minY - gt[3]) / gt[5]];
  // A hair of tolerance so an edge exactly on a pixel boundary keeps its pixel. Like gdalwarp,
  // the window may reach past the source (those pixels are nodata), but must overlap it.
  const x0 = Math.ceil(Math.min(...xs) - 1e-6);
  const x1 = Math.floor(Math.max(...xs) + 1e-6);
  const y0 = Math.ceil(Math.min(...ys) - 1e-6);
  const y1 = Math.floor(Math.max(...ys) + 1e-6);
  const overlaps = x1 > Math.max(0, x0) && Math.min(w, x1) > x0 && y1 > Math.max(0, y0) && Math.min(h, y1) > y0;
  return x1 > x0 && y1 > y0 && overlaps ? [x0, y0, x1 - x0, y1 - y0] : null;
}

function overviewLevels(w: number, h: number): number[] {
  const out: number[] = [];
  for (let f = 2; Math.max(w, h) / f >= 256; f *= 2) out.push(f);
  return out;
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
