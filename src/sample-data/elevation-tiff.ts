/** The sample GeoTIFF: synthetic elevation (m, Int16) on land at 0.1°, EPSG:4326, sea = nodata. */
import { gdalChild } from '../gdal/child-client.js';
import { elevation, globalGrid, landMask } from './terrain.js';

export const ELEVATION_RES = 0.1;
const NODATA = -32768;

export async function writeElevationTiff(file: string): Promise<void> {
  const g = globalGrid(ELEVATION_RES);
  const w = g.lon.length;
  const h = g.lat.length;
  const land = landMask(g);
  const data = new Int16Array(w * h).fill(NODATA);
  for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) if (land[i * w + j]) data[i * w + j] = Math.round(elevation(g.lon[j], g.lat[i]));
  await gdalChild().run('write-geotiff', {
    path: file,
    width: w,
    height: h,
    geoTransform: [-180, ELEVATION_RES, 0, 90, 0, -ELEVATION_RES],
    data,
    nodata: NODATA,
    metadata: { TIFFTAG_IMAGEDESCRIPTION: 'subsetd sample data: synthetic elevation in metres (not real terrain)', UNITS: 'm' },
  });
}
