/**
 * Uploaded polygons are untrusted: they are parsed and checked here, in JavaScript, before any
 * native code sees them. Anything odd is an InputError (HTTP 400) naming the input.
 */
import { InputError } from '../processes/types.js';

export type Position = [number, number];
export type Ring = Position[];
export type PolygonCoords = Ring[];
export type MultiPolygonCoords = PolygonCoords[];

/** Enough for a detailed national outline; more is a denial of service, not a region. */
export const MAX_VERTICES = 2_000_000;
const MAX_DEPTH_TYPES = new Set(['Polygon', 'MultiPolygon', 'Feature', 'FeatureCollection', 'GeometryCollection']);

/** Accepts a Polygon, MultiPolygon, Feature, FeatureCollection or GeometryCollection of them (EPSG:4326). */
export function parseRegionGeoJson(value: unknown, input = 'polygon'): MultiPolygonCoords {
  const out: MultiPolygonCoords = [];
  let vertices = 0;
  const fail = (msg: string): never => {
    throw new InputError(input, msg);
  };
  const ring = (r: unknown, where: string): Ring => {
    if (!Array.isArray(r)) fail(`${where}: a ring must be an array of positions`);
    const arr = r as unknown[];
    if (arr.length < 4) fail(`${where}: a ring needs at least 4 positions (closed)`);
    vertices += arr.length;
    if (vertices > MAX_VERTICES) fail(`more than ${MAX_VERTICES} vertices`);
    const pts: Ring = arr.map((p, i) => {
      if (!Array.isArray(p) || p.length < 2 || p.length > 4) fail(`${where}[${i}]: a position is [lon, lat]`);
      const [x, y] = p as unknown[];
      if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) fail(`${where}[${i}]: coordinates must be finite numbers`);
      // Past ±180 is allowed: a region continued across the antimeridian (e.g. 170..190).
      if ((x as number) < -540 || (x as number) > 540 || (y as number) < -90 || (y as number) > 90) fail(`${where}[${i}]: [${x}, ${y}] is not a lon/lat position (EPSG:4326)`);
      return [x as number, y as number];
    });
    const [a, b] = [pts[0], pts[pts.length - 1]];
    if (a[0] !== b[0] || a[1] !== b[1]) fail(`${where}: ring is not closed (first and last positions differ)`);
    return pts;
  };
  const polygon = (p: unknown, where: string) => {
    if (!Array.isArray(p) || p.length === 0) fail(`${where}: a polygon is a non-empty array of rings`);
    out.push((p as unknown[]).map((r, i) => ring(r, `${where}[${i}]`)));
  };
  const visit = (g: unknown, where: string, depth: number) => {
    if (depth > 3) fail(`${where}: nested too deeply`);
    if (!g || typeof g !== 'object' || Array.isArray(g)) fail(`${where}: expected a GeoJSON object`);
    const o = g as Record<string, unknown>;
    if (typeof o.type !== 'string' || !MAX_DEPTH_TYPES.has(o.type)) fail(`${where}: type must be Polygon, MultiPolygon, Feature or FeatureCollection, not ${JSON.stringify(o.type)}`);
    if ('crs' in o && o.crs !== null && !isWgs84Crs(o.crs)) fail(`${where}: only EPSG:4326 / CRS84 coordinates are accepted`);
    switch (o.type) {
      case 'Polygon':
        return polygon(o.coordinates, `${where}.coordinates`);
      case 'MultiPolygon':
        if (!Array.isArray(o.coordinates)) fail(`${where}.coordinates: must be an array of polygons`);
        return (o.coordinates as unknown[]).forEach((p, i) => polygon(p, `${where}.coordinates[${i}]`));
      case 'Feature':
        return visit(o.geometry, `${where}.geometry`, depth + 1);
      case 'GeometryCollection':
        if (!Array.isArray(o.geometries)) fail(`${where}.geometries: must be an array`);
        return (o.geometries as unknown[]).forEach((x, i) => visit(x, `${where}.geometries[${i}]`, depth + 1));
      case 'FeatureCollection':
        if (!Array.isArray(o.features)) fail(`${where}.features: must be an array`);
        return (o.features as unknown[]).forEach((x, i) => visit(x, `${where}.features[${i}]`, depth + 1));
    }
  };
  visit(value, input, 0);
  if (!out.length) fail('contains no polygon');
  return out;
}

function isWgs84Crs(crs: unknown): boolean {
  const name = (crs as { properties?: { name?: unknown } })?.properties?.name;
  return typeof name === 'string' && /(CRS84|EPSG:?:?4326)$/i.test(name.replace(/::/g, ':'));
}

/** JSON Schema of the `polygon` input: loose on purpose, the parser above gives the precise error. */
export const POLYGON_SCHEMA = {
  type: 'object',
  required: ['type'],
  properties: { type: { enum: ['Polygon', 'MultiPolygon', 'Feature', 'FeatureCollection', 'GeometryCollection'] } },
  contentMediaType: 'application/geo+json',
};
