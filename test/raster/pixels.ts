/** Reads rasters for pixel-by-pixel comparison (gdal-async in the test process, main thread). */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
type Gdal = typeof import('gdal-async');
let gdal: Gdal | undefined;
export function loadGdal(): Gdal {
  gdal ??= require('gdal-async') as Gdal;
  return gdal;
}

export interface Grid {
  width: number;
  height: number;
  geoTransform: number[];
  nodata: number | null;
  bands: Array<Float64Array>;
}

export function readGrid(path: string): Grid {
  const g = loadGdal();
  const ds = g.open(path);
  const { x, y } = ds.rasterSize;
  const bands: Float64Array[] = [];
  ds.bands.forEach((b) => {
    const a = new Float64Array(x * y);
    b.pixels.read(0, 0, x, y, a);
    bands.push(a);
  });
  const out = { width: x, height: y, geoTransform: ds.geoTransform!, nodata: ds.bands.get(1).noDataValue, bands };
  ds.close();
  return out;
}

/** Number of pixels that differ (NaN equals NaN). */
export function diffCount(a: Grid, b: Grid): number {
  if (a.width !== b.width || a.height !== b.height || a.bands.length !== b.bands.length) return Infinity;
  let n = 0;
  a.bands.forEach((band, k) => {
    const other = b.bands[k];
    for (let i = 0; i < band.length; i++) if (band[i] !== other[i] && !(Number.isNaN(band[i]) && Number.isNaN(other[i]))) n++;
  });
  return n;
}
