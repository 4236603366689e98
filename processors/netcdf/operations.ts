/**
 * The `operations` input of netcdf-subset: up to 4 operations applied in order to every file.
 * Native conventions: bbox [west, south, east, north] (west > east crosses the antimeridian),
 * point GeoJSON {type: "Point", coordinates: [lon, lat]}. The ISIMIP v2 endpoint translates its
 * own conventions into these (src/isimip/translate.ts), one operation to one operation.
 */
import { hasCountry, isIsoAlpha3 } from '../../src/boundaries/index.js';
import { InputError } from '../../src/processes/types.js';
import { parseRegionGeoJson } from '../../src/regions/geojson.js';

export type Bbox = [number, number, number, number];
interface Flags {
  compute_mean?: boolean;
  output_csv?: boolean;
}
export type Op = Flags &
  (
    | { operation: 'select_bbox' | 'mask_bbox' | 'cutout_bbox'; bbox: Bbox }
    | { operation: 'select_point' | 'cutout_point'; point: { lon: number; lat: number } }
    | { operation: 'mask_country'; country: string }
    | { operation: 'mask_landonly' }
    | { operation: 'mask_polygon'; file?: string; polygon?: unknown }
    | { operation: 'mask_mask'; mask: string; var: string }
  );

export const OPERATION_NAMES = ['select_bbox', 'mask_bbox', 'cutout_bbox', 'select_point', 'cutout_point', 'mask_country', 'mask_landonly', 'mask_polygon', 'mask_mask'] as const;
export const MAX_OPERATIONS = 4;
export const MAX_PATHS = 32;

const UPLOAD_NAME = /^[A-Za-z0-9_.-]{1,200}$/;

const num = (v: unknown, input: string, what: string): number => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(input, `${what} must be a finite number`);
  return v;
};

function flags(o: Record<string, unknown>, input: string): Flags {
  const f: Flags = {};
  for (const k of ['compute_mean', 'output_csv'] as const) {
    if (o[k] === undefined || o[k] === null) continue;
    if (typeof o[k] !== 'boolean') throw new InputError(`${input}.${k}`, 'must be true or false');
    if (o[k]) f[k] = true;
  }
  return f;
}

export function parseBbox(v: unknown, input: string): Bbox {
  if (!Array.isArray(v) || v.length !== 4) throw new InputError(input, 'must be [west, south, east, north]');
  const [w, s, e, n] = v.map((x, i) => num(x, input, ['west', 'south', 'east', 'north'][i]));
  if (s < -90 || n > 90) throw new InputError(input, 'latitudes must lie within -90..90');
  if (s > n) throw new InputError(input, 'south must not be greater than north');
  if (w < -180 || w > 360 || e < -180 || e > 360) throw new InputError(input, 'longitudes must lie within -180..360');
  return [w, s, e, n];
}

/** Checks one operation (shape only: files and grids are checked against each input later). */
export function parseOp(raw: unknown, i: number): Op {
  const input = `operations.${i}`;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(input, 'must be an object with an "operation"');
  const o = raw as Record<string, unknown>;
  const f = flags(o, input);
  switch (o.operation) {
    case 'select_bbox':
    case 'mask_bbox':
    case 'cutout_bbox':
      return { operation: o.operation, bbox: parseBbox(o.bbox, `${input}.bbox`), ...f };
    case 'select_point':
    case 'cutout_point': {
      const p = o.point as { type?: unknown; coordinates?: unknown } | undefined;
      if (!p || p.type !== 'Point' || !Array.isArray(p.coordinates) || p.coordinates.length < 2) throw new InputError(`${input}.point`, 'must be a GeoJSON Point {"type": "Point", "coordinates": [lon, lat]}');
      const lon = num(p.coordinates[0], `${input}.point`, 'longitude');
      const lat = num(p.coordinates[1], `${input}.point`, 'latitude');
      if (lat < -90 || lat > 90) throw new InputError(`${input}.point`, 'latitude must lie within -90..90');
      if (lon < -180 || lon > 360) throw new InputError(`${input}.point`, 'longitude must lie within -180..360');
      if (f.compute_mean) throw new InputError(`${input}.compute_mean`, 'a point selection has no field to average');
      return { operation: o.operation, point: { lon, lat }, ...f };
    }
    case 'mask_country': {
      const c = o.country;
      if (typeof c !== 'string' || !/^[A-Za-z]{3}$/.test(c)) throw new InputError(`${input}.country`, 'must be an ISO 3166-1 alpha-3 code such as "DEU"');
      if (!isIsoAlpha3(c)) throw new InputError(`${input}.country`, `"${c}" is not an ISO 3166-1 alpha-3 code`);
      if (!hasCountry(c)) throw new InputError(`${input}.country`, `no outline for "${c}" in Natural Earth 1:50m`);
      return { operation: 'mask_country', country: c.toUpperCase(), ...f };
    }
    case 'mask_landonly':
      return { operation: 'mask_landonly', ...f };
    case 'mask_polygon': {
      const given = [o.file !== undefined, o.polygon !== undefined].filter(Boolean).length;
      if (given !== 1) throw new InputError(input, 'give exactly one of "file" (an uploaded GeoJSON or zipped shapefile) or "polygon" (inline GeoJSON)');
      // Inline polygons are checked here, in JS, so a malformed one is a 400 (self-intersections
      // are fine: the even-odd scanline rasterizer needs no valid geometry).
      if (o.polygon !== undefined) parseRegionGeoJson(o.polygon, `${input}.polygon`);
      if (o.file !== undefined && (typeof o.file !== 'string' || !UPLOAD_NAME.test(o.file) || o.file.includes('..'))) throw new InputError(`${input}.file`, 'must be the plain name of an uploaded file');
      return { operation: 'mask_polygon', ...(o.file !== undefined ? { file: o.file as string } : { polygon: o.polygon }), ...f };
    }
    case 'mask_mask': {
      if (typeof o.mask !== 'string' || !UPLOAD_NAME.test(o.mask) || o.mask.includes('..')) throw new InputError(`${input}.mask`, 'must be the plain name of an uploaded NetCDF mask file');
      const v = o.var ?? 'm_0';
      if (typeof v !== 'string' || !/^[A-Za-z0-9_]{1,100}$/.test(v)) throw new InputError(`${input}.var`, 'must be a variable name (letters, digits, underscores)');
      return { operation: 'mask_mask', mask: o.mask, var: v, ...f };
    }
    default:
      throw new InputError(`${input}.operation`, `unknown operation ${JSON.stringify(o.operation)}; one of ${OPERATION_NAMES.join(', ')}`);
  }
}

export function parseOps(raw: unknown): Op[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new InputError('operations', 'must be a non-empty array of operations');
  if (raw.length > MAX_OPERATIONS) throw new InputError('operations', `at most ${MAX_OPERATIONS} operations, got ${raw.length}`);
  const ops = raw.map(parseOp);
  ops.forEach((op, i) => {
    if (i < ops.length - 1 && (op.compute_mean || op.output_csv)) throw new InputError(`operations.${i}`, 'compute_mean and output_csv apply to the result of the chain: set them on the last operation');
  });
  const last = ops[ops.length - 1];
  const pointed = ops.some((o) => o.operation === 'select_point' || o.operation === 'cutout_point');
  if (last.compute_mean && pointed) throw new InputError(`operations.${ops.length - 1}.compute_mean`, 'a point selection has no field to average');
  return ops;
}

/** Short region tag for output names, in isimip-files-api's style. */
export function opTag(op: Op): string {
  const f = (x: number) => String(Math.round(x * 1e6) / 1e6);
  switch (op.operation) {
    case 'select_bbox':
    case 'mask_bbox':
    case 'cutout_bbox':
      return `lat${f(op.bbox[1])}to${f(op.bbox[3])}lon${f(op.bbox[0])}to${f(op.bbox[2])}`;
    case 'select_point':
    case 'cutout_point':
      return `lat${f(op.point.lat)}lon${f(op.point.lon)}`;
    case 'mask_country':
      return op.country.toLowerCase();
    case 'mask_landonly':
      return 'landonly';
    default:
      return 'masked';
  }
}
