/**
 * `subsetd sample-data [DIR] [--force]`: a small dataset to try subsetd on, generated here (no
 * download): the NetCDF, GeoTIFF and GeoPackage below, a few MB in all. Existing files are left
 * alone unless --force.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeElevationTiff } from './elevation-tiff.js';
import { writePlacesGpkg } from './places-gpkg.js';
import { writeTasNetcdf } from './tas-netcdf.js';

export const SAMPLE_FILES = {
  netcdf: 'sample_tas_global_daily_2021_2021.nc',
  geotiff: 'sample_elevation_0.1deg.tif',
  vector: 'sample_places.gpkg',
} as const;

const WRITERS: Record<keyof typeof SAMPLE_FILES, [string, (file: string) => Promise<void>]> = {
  netcdf: ['daily tas, 90 days on the global 0.5° grid (NetCDF-4, deflate)', writeTasNetcdf],
  geotiff: ['synthetic elevation at 0.1°, EPSG:4326 (GeoTIFF, deflate)', writeElevationTiff],
  vector: ['layers "cities" (points) and "study_areas" (polygons) (GeoPackage)', writePlacesGpkg],
};

export class SampleExistsError extends Error {}

export async function writeSampleData(dir: string, opts: { force?: boolean; log?: (line: string) => void } = {}): Promise<string[]> {
  const log = opts.log ?? (() => {});
  mkdirSync(dir, { recursive: true });
  const targets = Object.entries(SAMPLE_FILES).map(([k, name]) => ({ k: k as keyof typeof SAMPLE_FILES, file: join(dir, name) }));
  const existing = targets.filter((t) => existsSync(t.file));
  if (existing.length && !opts.force) throw new SampleExistsError(`${existing.map((t) => t.file).join(', ')} already exist${existing.length === 1 ? 's' : ''}; use --force to overwrite`);
  const written: string[] = [];
  for (const t of targets) {
    const [what, write] = WRITERS[t.k];
    const t0 = Date.now();
    await write(t.file);
    written.push(t.file);
    log(`wrote ${t.file} (${(statSync(t.file).size / 2 ** 20).toFixed(1)} MB, ${((Date.now() - t0) / 1000).toFixed(1)} s): ${what}`);
  }
  return written;
}
