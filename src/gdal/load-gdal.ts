/**
 * gdal-async, loaded lazily: it works in one thread per process only (no worker_threads
 * support), and a process that never touches rasters should not pay for loading it.
 */
type Gdal = typeof import('gdal-async');
let cached: Promise<Gdal> | undefined;

export function loadGdal(): Promise<Gdal> {
  cached ??= import('gdal-async').then((m) => ((m as { default?: Gdal }).default ?? m) as Gdal);
  return cached;
}
