/**
 * The datasets file (SUBSETD_DATASETS, handed to processors in their context), read once per
 * thread and file: start-up has validated it already.
 */
import { loadDatasets, type Dataset } from './datasets.js';

let cached: { file: string; list: Dataset[] } | null = null;

export function hostedDatasets(file: string): Dataset[] {
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
