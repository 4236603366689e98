/**
 * Opens any GDAL raster a clip reads: a file, a NetCDF variable, a VRT. CF NetCDF often carries
 * no CRS; when its grid is plainly lon/lat it is read as EPSG:4326 (through a VRT that says so).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from 'gdal-async';
import type { Gdal } from './gdal-type.js';
import { OpInputError } from './op-error.js';

export interface OpenedRaster {
  ds: Dataset;
  /** What a VRT or a later GDAL call should name to read the same thing. */
  name: string;
  assumedCrs: boolean;
}

export async function openRaster(gdal: Gdal, path: string, variable: string | undefined, tmpDir: string): Promise<OpenedRaster> {
  let name = variable ? `NETCDF:"${path}":${variable}` : path;
  let ds: Dataset;
  try {
    ds = await gdal.openAsync(name);
  } catch (e) {
    throw new OpInputError(variable ? 'variable' : 'dataset', `GDAL cannot read it as a raster: ${(e as Error).message}`);
  }
  const subs = ds.getMetadata('SUBDATASETS');
  if (!variable && ds.bands.count() === 0 && subs && Object.keys(subs).length) {
    const vars = Object.entries(subs)
      .filter(([k]) => k.endsWith('_NAME'))
      .map(([, v]) => String(v).split(':').pop());
    throw new OpInputError('variable', `the file holds several variables; name one of: ${vars.join(', ')}`);
  }
  if (ds.bands.count() === 0) throw new OpInputError('dataset', 'has no raster bands');
  if (ds.srs) return { ds, name, assumedCrs: false };
  const gt = ds.geoTransform;
  const { x, y } = ds.rasterSize;
  const lonLat =
    gt && gt[2] === 0 && gt[4] === 0 &&
    Math.min(gt[0], gt[0] + x * gt[1]) >= -180.5 && Math.max(gt[0], gt[0] + x * gt[1]) <= 360.5 &&
    Math.min(gt[3], gt[3] + y * gt[5]) >= -90.5 && Math.max(gt[3], gt[3] + y * gt[5]) <= 90.5;
  if (!lonLat) throw new OpInputError('dataset', 'has no coordinate reference system and its coordinates are not longitude/latitude');
  const vrt = join(tmpDir, `srs-${process.hrtime.bigint()}.vrt`);
  const out = await gdal.translateAsync(vrt, ds, ['-of', 'VRT', '-a_srs', 'EPSG:4326']);
  out.close();
  // The file opened first is read through the VRT from now on: close it, or its cached blocks stay.
  ds.close();
  ds = await gdal.openAsync(vrt);
  name = vrt;
  return { ds, name, assumedCrs: true };
}

export function writeText(path: string, text: string) {
  writeFileSync(path, text);
}
