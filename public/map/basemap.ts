/**
 * The basemap: world-atlas 1:110m countries (TopoJSON shipped with the console). world-atlas
 * geometry is spherical: rings jump across ±180 and Antarctica has no edge along -90. On a flat
 * map such rings are unwrapped (continued past ±180, the map's world copies show the rest) and
 * a ring that goes once around the globe is closed along the pole.
 */
import { feature } from 'topojson-client';
import type { GeoJSON } from '../api';
import { api } from '../api';

type Ring = number[][];

export function unwrapRing(ring: Ring): Ring {
  const out: Ring = [];
  let shift = 0;
  for (let i = 0; i < ring.length; i++) {
    const [x, y] = ring[i];
    if (i > 0) {
      const prev = ring[i - 1][0];
      if (x - prev > 180) shift -= 360;
      else if (prev - x > 180) shift += 360;
    }
    out.push([x + shift, y]);
  }
  const first = out[0];
  const last = out[out.length - 1];
  if (Math.abs(last[0] - first[0]) > 180) {
    // Around the globe: close along the nearer pole.
    const pole = first[1] < 0 ? -90 : 90;
    out.push([last[0], pole], [first[0], pole], [first[0], first[1]]);
  }
  return out;
}

export function unwrapGeometry(g: GeoJSON): GeoJSON {
  if (g.type === 'Polygon') return { ...g, coordinates: (g.coordinates as Ring[]).map(unwrapRing) };
  if (g.type === 'MultiPolygon') return { ...g, coordinates: (g.coordinates as Ring[][]).map((p) => p.map(unwrapRing)) };
  return g;
}

let cached: Promise<GeoJSON> | null = null;

export function loadBasemap(): Promise<GeoJSON> {
  cached ??= api.basemap().then((topo) => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const t = topo as any;
    const fc = feature(t, t.objects.countries) as unknown as GeoJSON;
    return { type: 'FeatureCollection', features: fc.features.map((f: GeoJSON) => ({ ...f, geometry: f.geometry && unwrapGeometry(f.geometry) })) };
  });
  cached.catch(() => (cached = null));
  return cached;
}

/** A [west, south, east, north] box as a polygon; west > east crosses the antimeridian (drawn as one shape). */
export function bboxPolygon([w, s, e, n]: number[]): GeoJSON {
  const east = e < w ? e + 360 : e;
  return { type: 'Polygon', coordinates: [[[w, s], [east, s], [east, n], [w, n], [w, s]]] };
}

/**
 * A MultiPolygon cut at the antimeridian (parts ending at +180 and others starting at -180, e.g.
 * Russia, Fiji) drawn as one shape: its western parts are moved east by 360° (the map wraps).
 */
export function joinAcrossAntimeridian(g: GeoJSON): GeoJSON {
  if (g.type !== 'MultiPolygon') return g;
  const parts = g.coordinates as Ring[][];
  const lons = (p: Ring[]) => p[0].map((c) => c[0]);
  const touchesEast = parts.some((p) => Math.max(...lons(p)) >= 179.99);
  const touchesWest = parts.some((p) => Math.min(...lons(p)) <= -179.99);
  if (!touchesEast || !touchesWest) return g;
  return { ...g, coordinates: parts.map((p) => (Math.max(...lons(p)) < 0 ? p.map((r) => r.map(([x, y]) => [x + 360, y])) : p)) };
}

export function pointGeometry(lon: number, lat: number): GeoJSON {
  return { type: 'Point', coordinates: [lon, lat] };
}
