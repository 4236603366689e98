/**
 * The boundary store, per thread: the API thread's is the one its routes were mounted with
 * (src/server/routes/geo-mount.ts), which validation checks regions against; a worker thread
 * opens a read-only view of the store in its job's state dir (ExecuteContext.stateDir).
 */
import { existsSync } from 'node:fs';
import { BoundaryStore } from './store.js';

let apiStore: BoundaryStore | null = null;
const readers = new Map<string, BoundaryStore>();

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
