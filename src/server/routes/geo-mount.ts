/**
 * Mounts the boundaries, datasets and packages routes, and prepares what the raster/vector
 * processors need. Worker threads receive no Config object (tasks carry only job data), so the
 * keys they need are exported to process.env, which worker threads inherit (the pool starts
 * after the mounts are built).
 */
import { ConfigError } from '../../config/load.js';
import type { Config } from '../../config/table.js';
import { DatasetsError, loadDatasets } from '../../datasets/datasets.js';
import { SETTINGS } from '../../config/table.js';
import { setApiBoundaryStore } from '../../boundaries-store/runtime.js';
import { openStoreWithShippedSet } from '../../boundaries-store/shipped.js';
import type { Mount } from '../app.js';
import { boundariesRoutes } from './boundaries.js';
import { datasetsRoutes, packagesRoutes } from './datasets.js';

export function geoMounts(config: Config): Mount[] {
  for (const k of ['stateDir', 'dataRoot', 'resultsDir', 'datasets'] as const) {
    const v = config[k];
    if (v) process.env[SETTINGS[k].key] = String(v);
  }
  let datasets;
  try {
    datasets = loadDatasets(config.datasets);
  } catch (e) {
    // Start-up stops with exit code 2 and the entry and field named.
    if (e instanceof DatasetsError) throw new ConfigError('SUBSETD_DATASETS', e.message);
    throw e;
  }
  const store = openStoreWithShippedSet(config.stateDir);
  setApiBoundaryStore(store);
  return [boundariesRoutes(store), datasetsRoutes(datasets), packagesRoutes()];
}
