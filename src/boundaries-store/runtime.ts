/**
 * Where the boundary store is, per thread. Processors get no config: the API thread learns the
 * state dir when its routes are mounted (src/server/routes/geo-mount.ts), and a worker thread
 * derives it from its job's work dir, which src/jobs/job-files.ts puts at <state>/work/<id>.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { BoundaryStore } from './store.js';

let apiStore: BoundaryStore | null = null;
const readers = new Map<string, BoundaryStore>();

export function stateDirOfWorkDir(workDir: string): string {
  return resolve(workDir, '..', '..');
}

export function setApiBoundaryStore(store: BoundaryStore | null) {
  apiStore = store;
}

/** The API thread's store, if the boundary routes are mounted in this process. */
export function apiBoundaryStore(): BoundaryStore | null {
  return apiStore;
}

/** A worker's read-only view; one connection per state dir and thread. */
export function boundaryStoreFor(stateDir: string): BoundaryStore {
  let s = readers.get(stateDir);
  if (!s) {
    const file = BoundaryStore.fileIn(stateDir);
    if (!existsSync(file)) throw new Error(`no boundary store at ${file}: start the service once (it loads the shipped set)`);
    s = new BoundaryStore(file, { readonly: true });
    readers.set(stateDir, s);
  }
  return s;
}
