/**
 * The region inputs shared by clip-raster, clip-vector and package: a boundary id, a bbox or an
 * uploaded GeoJSON polygon (exactly one). Checked in the API process (400 on bad input), turned
 * into polygons in the worker.
 */
import { InputError, type InputDescription } from '../processes/types.js';
import { BoundaryStore } from '../boundaries/store.js';
import { bboxRegion, type Bbox } from './antimeridian.js';
import { parseRegionGeoJson, POLYGON_SCHEMA, type MultiPolygonCoords } from './geojson.js';

export const DEFAULT_SET = 'admin0';

export const REGION_INPUTS: Record<string, InputDescription> = {
  boundary: {
    title: 'Boundary id',
    description: 'Id of a boundary in `boundarySet` (for the shipped admin0 set: ISO 3166-1 alpha-3, e.g. DEU). See GET /boundaries.',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_.:\\- ]{1,100}$' },
    minOccurs: 0,
  },
  boundarySet: {
    title: 'Boundary set',
    description: 'Set the boundary id belongs to (admin0 = Natural Earth 1:50m countries, or an imported set).',
    schema: { type: 'string', pattern: '^[A-Za-z0-9_\\-]{1,64}$', default: DEFAULT_SET },
    minOccurs: 0,
  },
  bbox: {
    title: 'Bounding box',
    description: '[west, south, east, north] in EPSG:4326; west > east crosses the antimeridian.',
    schema: { type: 'array', items: { type: 'number' }, minItems: 4, maxItems: 4 },
    minOccurs: 0,
  },
  polygon: {
    title: 'Polygon (GeoJSON)',
    description: 'A GeoJSON Polygon, MultiPolygon, Feature or FeatureCollection in EPSG:4326.',
    schema: POLYGON_SCHEMA,
    minOccurs: 0,
  },
};

export function checkBbox(v: unknown, input = 'bbox'): Bbox {
  const b = v as number[];
  if (!Array.isArray(b) || b.length !== 4 || !b.every((x) => Number.isFinite(x))) throw new InputError(input, 'must be [west, south, east, north]');
  const [w, s, e, n] = b;
  if (w < -180 || w > 180 || e < -180 || e > 180) throw new InputError(input, 'longitudes must be within -180..180 (west > east crosses the antimeridian)');
  if (s < -90 || n > 90 || s >= n) throw new InputError(input, 'latitudes must be within -90..90 with south < north');
  if (w === e) throw new InputError(input, 'west and east must differ');
  return [w, s, e, n];
}

/** Cheap, in the API process: exactly one region, well-formed, and a known boundary. */
export function validateRegion(inputs: Record<string, unknown>, store: BoundaryStore | null): void {
  const given = ['boundary', 'bbox', 'polygon'].filter((k) => inputs[k] !== undefined);
  if (given.length !== 1) throw new InputError(given[1] ?? 'boundary', 'give exactly one region: boundary, bbox or polygon');
  if (inputs.bbox !== undefined) checkBbox(inputs.bbox);
  if (inputs.polygon !== undefined) parseRegionGeoJson(inputs.polygon);
  if (inputs.boundary !== undefined && store) {
    const set = String(inputs.boundarySet ?? DEFAULT_SET);
    if (!store.hasSet(set)) throw new InputError('boundarySet', `unknown boundary set "${set}" (see GET /boundaries)`);
    if (!store.has(set, String(inputs.boundary))) throw new InputError('boundary', `no boundary "${inputs.boundary}" in set "${set}"`);
  }
}

export interface Region {
  /** Short name for files and packages: DEU, bbox, polygon. */
  label: string;
  parts: MultiPolygonCoords;
}

export function resolveRegion(inputs: Record<string, unknown>, store: () => BoundaryStore): Region {
  if (inputs.bbox !== undefined) return { label: 'bbox', parts: bboxRegion(checkBbox(inputs.bbox)) };
  if (inputs.polygon !== undefined) return { label: 'polygon', parts: parseRegionGeoJson(inputs.polygon) };
  const set = String(inputs.boundarySet ?? DEFAULT_SET);
  const id = String(inputs.boundary);
  const b = store().get(set, id);
  if (!b) throw new InputError('boundary', `no boundary "${id}" in set "${set}"`);
  return { label: b.id, parts: b.parts };
}
