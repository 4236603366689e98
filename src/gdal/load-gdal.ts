/**
 * gdal-async, loaded lazily: it works in one thread per process only (no worker_threads
 * support), and a process that never touches rasters should not pay for loading it.
 */
import { existsSync } from 'node:fs';

type Gdal = typeof import('gdal-async');
let cached: Promise<Gdal> | undefined;

export function loadGdal(): Promise<Gdal> {
  // gdal-async linked to the system's libgdal looks for its bundled data unless GDAL_DATA is set;
  // the system library's own data is the right one.
  if (!process.env.GDAL_DATA && existsSync('/usr/share/gdal')) process.env.GDAL_DATA = '/usr/share/gdal';
  if (!process.env.PROJ_LIB && existsSync('/usr/share/proj')) process.env.PROJ_LIB = '/usr/share/proj';
  cached ??= import('gdal-async').then((m) => ((m as { default?: Gdal }).default ?? m) as Gdal);
  return cached;
}
