/**
 * The datasets file as this thread sees it: SUBSETD_DATASETS is exported to process.env by the
 * geo mount at start-up (src/server/routes/geo-mount.ts), which worker threads inherit.
 */
import { loadDatasets, type Dataset } from './datasets.js';

let cached: { file: string; list: Dataset[] } | null = null;

export function hostedDatasets(): Dataset[] {
  const file = process.env.SUBSETD_DATASETS ?? '';
  if (!cached || cached.file !== file) cached = { file, list: loadDatasets(file) };
  return cached.list;
}

export function packagesRoot(stateDir: string): string {
  return `${stateDir}/packages`;
}

/** Folder name of a boundary's package: the id for the shipped set, set-id for imported ones. */
export function boundaryKey(set: string, id: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
  return set === 'admin0' ? safe(id) : `${safe(set)}-${safe(id)}`;
}
