/**
 * The shipped boundary set, admin0: Natural Earth 1:50m countries from npm world-atlas
 * (public domain), ids ISO 3166-1 alpha-3 via iso-3166-1. Features without a numeric code
 * (Kosovo, Somaliland, N. Cyprus, ...) get a stable id from their name.
 */
import type { MultiPolygon, Polygon } from 'geojson';
import { whereNumeric } from 'iso-3166-1';
import { feature } from 'topojson-client';
import type { GeometryCollection } from 'topojson-specification';
import { topology } from '../boundaries/topology.js';
import { BoundaryStore, type BoundaryInput } from './store.js';
import { cutAtAntimeridian } from './antimeridian-cut.js';
import type { MultiPolygonCoords } from '../regions/geojson.js';

export const SHIPPED_SET = 'admin0';
// Bump when the shipped geometry processing changes: the store then reloads the set at start.
export const SHIPPED_VERSION = 'world-atlas-2.0.2/countries-50m/cut-1';
export const SHIPPED_SOURCE = 'Natural Earth 1:50m admin-0 countries v4.1.0 (npm world-atlas), public domain';

/**
 * One feature at a time: building every outline first held ~35 MB more at the first start,
 * and V8 keeps a heap it has grown.
 */
export function* shippedBoundaries(): Generator<BoundaryInput> {
  const t = topology('countries-50m');
  const geoms = (t.objects.countries as GeometryCollection<{ name: string }>).geometries;
  const seen = new Set<string>();
  let n = 0; // outlines yielded so far: the suffix of a repeated id
  for (const g of geoms) {
    const f = feature(t, g) as unknown as GeoJSON.Feature<Polygon | MultiPolygon | null, { name: string }>;
    if (!f.geometry) continue;
    const name = f.properties.name;
    const code = f.id !== undefined ? whereNumeric(String(f.id).padStart(3, '0'))?.alpha3 : undefined;
    let id = code ?? `X-${name.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').toUpperCase()}`;
    if (seen.has(id)) id = `${id}-${n}`;
    seen.add(id);
    const coords = (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates) as MultiPolygonCoords;
    n++;
    yield { id, name, parts: cutAtAntimeridian(coords), properties: { isoNumeric: f.id ?? null, source: 'naturalearth-50m' } };
  }
}

/** Opens (creating) the store and loads the shipped set if it is missing or stale. */
export function openStoreWithShippedSet(stateDir: string): BoundaryStore {
  const store = new BoundaryStore(BoundaryStore.fileIn(stateDir));
  if (store.setVersion(SHIPPED_SET) !== SHIPPED_VERSION) store.replaceSet(SHIPPED_SET, SHIPPED_SOURCE, SHIPPED_VERSION, shippedBoundaries());
  return store;
}
