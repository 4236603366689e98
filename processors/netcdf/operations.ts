/**
 * The `operations` input of netcdf-subset: up to 4 operations applied in order to every file,
 * except create_mask, which runs once per job (it writes a mask file, see create-mask.ts).
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
  /** Largest input grid [longitudes, latitudes] this operation takes; a larger input fails on its own (errors.json). */
  max_resolution?: [number, number];
}
export type Op = Flags &
  (
    | { operation: 'select_bbox' | 'mask_bbox' | 'cutout_bbox'; bbox: Bbox }
    | { operation: 'select_point' | 'cutout_point'; point: { lon: number; lat: number } }
    | { operation: 'mask_country'; country: string }
    | { operation: 'mask_landonly' }
    | { operation: 'mask_polygon'; file?: string; polygon?: unknown }
    | { operation: 'mask_mask'; mask: string; var: string }
    | { operation: 'create_mask'; file: string; mask: string }
  );

export const OPERATION_NAMES = ['select_bbox', 'mask_bbox', 'cutout_bbox', 'select_point', 'cutout_point', 'mask_country', 'mask_landonly', 'mask_polygon', 'mask_mask', 'create_mask'] as const;
export const MAX_OPERATIONS = 4;
export const MAX_PATHS = 32;

const UPLOAD_NAME = /^[A-Za-z0-9_.-]{1,200}$/;
/** Names the job writes itself (README, errors, the zip and files being written): not for create_mask's files. */
const JOB_OWN_NAME = /^(readme\.txt|errors\.json|subset-.*\.zip)$|\.part$/i;
const fileName = (v: unknown, input: string, what: string): string => {
  if (typeof v !== 'string' || !UPLOAD_NAME.test(v) || v.includes('..')) throw new InputError(input, `must be the plain name of ${what}`);
  return v;
};

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
  const max = o.max_resolution;
  if (max !== undefined) {
    if (!Array.isArray(max) || max.length !== 2 || !max.every((x) => Number.isInteger(x) && x > 0))
      throw new InputError(`${input}.max_resolution`, 'must be [longitudes, latitudes], two positive integers');
    f.max_resolution = [max[0], max[1]];
  }
  return f;
}

/**
 * The first operation whose max_resolution the grid exceeds, as the file's error (worded as
 * isimip-files-api words it, whose per-operation limits these are), or null.
 */
export function resolutionError(ops: Op[], label: string, nlon: number, nlat: number): string | null {
  for (const op of ops) {
    const max = op.max_resolution;
    if (max && (nlon > max[0] || nlat > max[1])) return `resolution of ${label} (${nlon}, ${nlat}) is to high (${max[0]}, ${max[1]}) for operation "${op.operation}"`;
  }
  return null;
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
      if (o.file !== undefined) fileName(o.file, `${input}.file`, 'an uploaded file');
      return { operation: 'mask_polygon', ...(o.file !== undefined ? { file: o.file as string } : { polygon: o.polygon }), ...f };
    }
    case 'mask_mask': {
      fileName(o.mask, `${input}.mask`, 'an uploaded NetCDF mask file or of one made by an earlier create_mask');
      const v = o.var ?? 'm_0';
      if (typeof v !== 'string' || !/^[A-Za-z0-9_]{1,100}$/.test(v)) throw new InputError(`${input}.var`, 'must be a variable name (letters, digits, underscores)');
      return { operation: 'mask_mask', mask: o.mask as string, var: v, ...f };
    }
    case 'create_mask': {
      // Both files end up in the job's outputs beside README.txt and the zip: no clashes.
      const file = fileName(o.file, `${input}.file`, 'an uploaded GeoJSON file or zipped shapefile');
      const mask = fileName(o.mask, `${input}.mask`, 'the mask file to write (e.g. "pm.nc")');
      for (const [k, n] of [['file', file], ['mask', mask]]) if (JOB_OWN_NAME.test(n)) throw new InputError(`${input}.${k}`, `"${n}" is a name the job uses for its own files`);
      if (file === mask) throw new InputError(`${input}.mask`, 'must differ from "file"');
      if (f.compute_mean || f.output_csv) throw new InputError(input, 'create_mask writes a mask file: compute_mean and output_csv belong on a per-file operation');
      return { operation: 'create_mask', file, mask };
    }
    default:
      throw new InputError(`${input}.operation`, `unknown operation ${JSON.stringify(o.operation)}; one of ${OPERATION_NAMES.join(', ')}`);
  }
}

export type CreateMaskOp = Extract<Op, { operation: 'create_mask' }>;
export const isCreateMask = (op: Op): op is CreateMaskOp => op.operation === 'create_mask';
/** The operations applied to each file: all but create_mask (run once, before the files). */
export const perFileOps = (ops: Op[]): Op[] => ops.filter((o) => !isCreateMask(o));

/** Whether ops[i] is a mask_mask on the file of a create_mask before it (else it names an upload). */
export function createdEarlier(ops: Op[], i: number): boolean {
  const op = ops[i];
  return op.operation === 'mask_mask' && ops.slice(0, i).some((o) => isCreateMask(o) && o.mask === op.mask);
}

export function parseOps(raw: unknown): Op[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new InputError('operations', 'must be a non-empty array of operations');
  if (raw.length > MAX_OPERATIONS) throw new InputError('operations', `at most ${MAX_OPERATIONS} operations, got ${raw.length}`);
  const ops = raw.map(parseOp);
  // Each create_mask writes its mask and copies its shape into the job's dir: one file per name.
  const creates = ops.filter(isCreateMask);
  ops.forEach((op, i) => {
    if (!isCreateMask(op)) return;
    if (creates.indexOf(op) !== creates.findIndex((c) => c.mask === op.mask)) throw new InputError(`operations.${i}.mask`, `"${op.mask}" is made by an earlier create_mask already`);
    if (creates.some((c) => c.file === op.mask)) throw new InputError(`operations.${i}.mask`, `"${op.mask}" is the shape file of a create_mask`);
  });
  // Flags belong to the last per-file operation (a create_mask after it does not count).
  const fileOps = perFileOps(ops);
  const lastAt = ops.lastIndexOf(fileOps[fileOps.length - 1]);
  ops.forEach((op, i) => {
    if (i < lastAt && (op.compute_mean || op.output_csv)) throw new InputError(`operations.${i}`, 'compute_mean and output_csv apply to the result of the chain: set them on the last operation');
  });
  const pointed = ops.some((o) => o.operation === 'select_point' || o.operation === 'cutout_point');
  if (lastAt >= 0 && ops[lastAt].compute_mean && pointed) throw new InputError(`operations.${lastAt}.compute_mean`, 'a point selection has no field to average');
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
    case 'create_mask':
      return ''; // writes a file of its own, selects nothing in the outputs
    default:
      return 'masked';
  }
}
