/**
 * Natural Earth boundaries shipped with subsetd, from npm `world-atlas` (1:50m admin-0 and land,
 * public domain) with ISO 3166-1 alpha-3 codes from `iso-3166-1`. Geometry is built on first use
 * per thread (a country: ~1 ms; land: ~60 ms) and kept; the topologies are read on first use
 * (./topology.ts). world-atlas is spherical, so
 * every part is cut at the antimeridian before planar use (Russia, Fiji, Antarctica's pole edge).
 *
 * Coordinates: GeoJSON MultiPolygon coordinates in lon/lat, within -180..180.
 */
import { whereAlpha3, whereNumeric } from 'iso-3166-1';
import { feature } from 'topojson-client';
import type { GeometryCollection } from 'topojson-specification';
import { topology } from './topology.js';
import { cutAtAntimeridian } from './antimeridian-cut.js';
import type { MultiPolygonCoords } from '../regions/geojson.js';

export type { MultiPolygonCoords };
export const BOUNDARY_SOURCE = 'Natural Earth 1:50m v4.1.0 (npm world-atlas 2.0.2), public domain';

const countries = () => topology('countries-50m');
const geoms = () => (countries().objects.countries as GeometryCollection<{ name: string }>).geometries;

export interface CountryInfo {
  iso3: string;
  name: string;
}

let index: Map<string, { name: string; numeric: string }> | null = null;
function countryIndex() {
  if (!index) {
    index = new Map();
    for (const g of geoms()) {
      if (g.id === undefined) continue; // Kosovo, Somaliland, ... have no ISO numeric code
      const iso = whereNumeric(String(g.id).padStart(3, '0'));
      if (iso && !index.has(iso.alpha3)) index.set(iso.alpha3, { name: (g.properties as { name?: string } | undefined)?.name ?? iso.country, numeric: String(g.id) });
    }
  }
  return index;
}

export function listCountries(): CountryInfo[] {
  return [...countryIndex()].map(([iso3, v]) => ({ iso3, name: v.name })).sort((a, b) => a.iso3.localeCompare(b.iso3));
}

/** True if the code (any case) is ISO 3166-1 alpha-3 and Natural Earth 1:50m has its outline. */
export function hasCountry(iso3: string): boolean {
  return countryIndex().has(iso3.toUpperCase());
}

export function isIsoAlpha3(code: string): boolean {
  return !!whereAlpha3(code.toUpperCase());
}

const cache = new Map<string, MultiPolygonCoords>();

function toParts(g: GeoJSON.Geometry | null): MultiPolygonCoords {
  if (!g) return [];
  if (g.type === 'Polygon') return [g.coordinates as MultiPolygonCoords[number]];
  if (g.type === 'MultiPolygon') return g.coordinates as MultiPolygonCoords;
  if (g.type === 'GeometryCollection') return g.geometries.flatMap(toParts);
  return [];
}

export interface CountryFeature {
  /** ISO 3166-1 numeric code as world-atlas writes it; undefined for Kosovo, Somaliland, ... */
  numeric: string | undefined;
  /** ISO 3166-1 alpha-3, when the numeric code has one. */
  alpha3: string | undefined;
  name: string;
  /** The outline, cut at the antimeridian. */
  parts: MultiPolygonCoords;
}

/**
 * Natural Earth's admin-0 features with a geometry, in file order, each outline built when it is
 * reached: the one place outlines are made. getCountry joins a code's features (AUS with
 * Ashmore); the boundary store's shipped set (./shipped.ts) keeps each feature as a boundary.
 */
export function* countryFeatures(only?: (numeric: string | undefined) => boolean): Generator<CountryFeature> {
  for (const g of geoms()) {
    const numeric = g.id === undefined ? undefined : String(g.id);
    if (only && !only(numeric)) continue;
    const geometry = feature(countries(), g as never).geometry as GeoJSON.Geometry | null;
    if (!geometry) continue;
    const alpha3 = numeric === undefined ? undefined : whereNumeric(numeric.padStart(3, '0'))?.alpha3;
    yield { numeric, alpha3, name: (g.properties as { name: string }).name, parts: cutAtAntimeridian(toParts(geometry)) };
  }
}

/** Outline of a country (every Natural Earth feature with its code, e.g. AUS with Ashmore), or null. */
export function getCountry(iso3: string): MultiPolygonCoords | null {
  const code = iso3.toUpperCase();
  const hit = countryIndex().get(code);
  if (!hit) return null;
  let parts = cache.get(code);
  if (!parts) {
    parts = [...countryFeatures((n) => n === hit.numeric)].flatMap((f) => f.parts);
    cache.set(code, parts);
  }
  return parts;
}

/** All land (Natural Earth 1:50m land polygons). */
export function getLand(): MultiPolygonCoords {
  let parts = cache.get('@land');
  if (!parts) {
    const landTopo = topology('land-50m');
    const fc = feature(landTopo, landTopo.objects.land) as unknown as GeoJSON.FeatureCollection;
    parts = cutAtAntimeridian(fc.features.flatMap((f) => toParts(f.geometry)));
    cache.set('@land', parts);
  }
  return parts;
}
