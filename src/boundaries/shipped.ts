/**
 * The shipped boundary set, admin0: Natural Earth 1:50m countries from npm world-atlas
 * (public domain), ids ISO 3166-1 alpha-3 via iso-3166-1. Features without a numeric code
 * (Kosovo, Somaliland, N. Cyprus, ...) get a stable id from their name.
 */
import { countryFeatures } from './index.js';
import { BoundaryStore, type BoundaryInput } from './store.js';

export const SHIPPED_SET = 'admin0';
// Bump when the shipped geometry processing changes: the store then reloads the set at start.
export const SHIPPED_VERSION = 'world-atlas-2.0.2/countries-50m/cut-1';
export const SHIPPED_SOURCE = 'Natural Earth 1:50m admin-0 countries v4.1.0 (npm world-atlas), public domain';

/**
 * One feature at a time (./index.ts countryFeatures): building every outline first held ~35 MB
 * more at the first start, and V8 keeps a heap it has grown.
 */
export function* shippedBoundaries(): Generator<BoundaryInput> {
  const seen = new Set<string>();
  let n = 0; // outlines yielded so far: the suffix of a repeated id
  for (const f of countryFeatures()) {
    let id = f.alpha3 ?? `X-${f.name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toUpperCase()}`;
    if (seen.has(id)) id = `${id}-${n}`;
    seen.add(id);
    n++;
    yield { id, name: f.name, parts: f.parts, properties: { isoNumeric: f.numeric ?? null, source: 'naturalearth-50m' } };
  }
}

/** Opens (creating) the store and loads the shipped set if it is missing or stale. */
export function openStoreWithShippedSet(stateDir: string): BoundaryStore {
  const store = new BoundaryStore(BoundaryStore.fileIn(stateDir));
  if (store.setVersion(SHIPPED_SET) !== SHIPPED_VERSION) store.replaceSet(SHIPPED_SET, SHIPPED_SOURCE, SHIPPED_VERSION, shippedBoundaries());
  return store;
}
