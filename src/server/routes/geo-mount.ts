/**
 * Mounts the boundaries, datasets and packages routes, and opens the boundary store validation
 * checks regions against. Processors in worker threads get the state dir and the datasets file
 * in their ExecuteContext (src/jobs/run-job.ts).
 */
import { ConfigError } from '../../config/load.js';
import type { Config } from '../../config/table.js';
import { DatasetsError, loadDatasets } from '../../datasets/datasets.js';
import { setApiBoundaryStore } from '../../boundaries/runtime.js';
import { openStoreWithShippedSet } from '../../boundaries/shipped.js';
import type { Mount } from '../app.js';
import { boundariesRoutes } from './boundaries.js';
import { datasetsRoutes, packagesRoutes } from './datasets.js';

export function geoMounts(config: Config): Mount[] {
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
