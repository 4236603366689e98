/**
 * ISIMIP Files API v2 operations as the clients send them, checked field by field. Messages are
 * worded as isimip-files-api words them, so scripts that print `errors` read the same here.
 * Conventions are ISIMIP's, not ours: bbox [west, east, south, north]; point [lat, lon] (its
 * server code and client read it so, although its docs once said [lon, lat]).
 */
import { whereAlpha3 } from 'iso-3166-1';

export const OPERATIONS = [
  'select_bbox',
  'select_point',
  'mask_bbox',
  'mask_mask',
  'mask_country',
  'mask_landonly',
  'compute_mean',
  'output_csv',
  'create_mask',
  'cutout_bbox',
  'cutout_point',
] as const;
export type OperationName = (typeof OPERATIONS)[number];

/** An operation after its own checks: numbers parsed, names normalised. */
export type CleanOperation =
  | { operation: 'select_bbox' | 'mask_bbox' | 'cutout_bbox'; bbox: Bbox; compute_mean: boolean; output_csv: boolean }
  | { operation: 'select_point' | 'cutout_point'; point: { lat: number; lon: number }; output_csv: boolean }
  | { operation: 'mask_country'; country: string; compute_mean: boolean; output_csv: boolean }
  | { operation: 'mask_landonly'; compute_mean: boolean; output_csv: boolean }
  | { operation: 'mask_mask'; mask: string; var: string; compute_mean: boolean; output_csv: boolean }
  | { operation: 'create_mask'; shape: string; mask: string }
  | { operation: 'compute_mean' | 'output_csv' };

export interface Bbox {
  west: number;
  east: number;
  south: number;
  north: number;
}

const num = (v: unknown): number => {
  // Python's float() accepts numeric strings too; the client sends numbers, scripts sometimes strings.
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new Error('not a number');
  return n;
};

function flag(config: Record<string, unknown>, key: string, op: string, errors: string[]): boolean {
  const v = config[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') errors.push(`${key} needs to be true or false for operation "${op}"`);
  return v === true;
}

/** Letters, digits, hyphens, underscores, periods; no "..": a file name that cannot leave its directory. */
function fileNameErrors(value: unknown, key: string, op: string): string[] {
  if (typeof value !== 'string' || value === '') return [`${key} is missing for operation "${op}"`];
  if (!/^[A-Za-z0-9_.-]+$/.test(value)) return [`only letters, numbers, hyphens, and periods are permitted in "${key}" for operation "${op}"`];
  if (value.includes('..')) return [`consecutive periods are not permitted in "${key}" for operation "${op}"`];
  return [];
}

function bboxOf(config: Record<string, unknown>, op: string, errors: string[]): Bbox {
  const b = config.bbox;
  const bad = () => (errors.push(`bbox is not of the form [%f, %f, %f, %f] for operation "${op}"`), { west: 0, east: 0, south: 0, north: 0 });
  if (b === undefined) return (errors.push(`bbox is missing for operation "${op}"`), { west: 0, east: 0, south: 0, north: 0 });
  if (!Array.isArray(b) || b.length !== 4) return bad();
  let west: number, east: number, south: number, north: number;
  try {
    [west, east, south, north] = b.map(num);
  } catch {
    return bad();
  }
  if (south < -90 || north > 90) errors.push(`latitude is < -90 or > 90 in bbox for operation "${op}"`);
  else if (south > north) errors.push(`south is > north in bbox for operation "${op}"`);
  if (west < -180 || east < -180 || west > 360 || east > 360) errors.push(`longitude is < -180 or > 360 in bbox for operation "${op}"`);
  return { west, east, south, north };
}

function pointOf(config: Record<string, unknown>, op: string, errors: string[]): { lat: number; lon: number } {
  const p = config.point;
  if (p === undefined) return (errors.push(`point is missing for operation "${op}"`), { lat: 0, lon: 0 });
  let lat: number, lon: number;
  try {
    if (!Array.isArray(p) || p.length !== 2) throw new Error('shape');
    [lat, lon] = p.map(num);
  } catch {
    return (errors.push(`point is not of the form [%f, %f] for operation "${op}"`), { lat: 0, lon: 0 });
  }
  if (lat < -90) errors.push(`latitude is < -90 for operation "${op}"`);
  if (lat > 90) errors.push(`latitude is > 90 for operation "${op}"`);
  if (lon < -180) errors.push(`longitude is < -180 for operation "${op}"`);
  if (lon > 360) errors.push(`longitude is > 360 for operation "${op}"`);
  return { lat, lon };
}

/** Checks one operation object; returns it cleaned, with errors appended to `errors`. */
export function cleanOperation(config: unknown, errors: string[]): CleanOperation | null {
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    errors.push('Provided json data is malformatted.');
    return null;
  }
  const c = config as Record<string, unknown>;
  const op = c.operation;
  if (typeof op !== 'string' || !(OPERATIONS as readonly string[]).includes(op)) {
    errors.push(`operation "${String(op)}" was not found`);
    return null;
  }
  const before = errors.length;
  const flags = () => ({ compute_mean: flag(c, 'compute_mean', op, errors), output_csv: flag(c, 'output_csv', op, errors) });
  let out: CleanOperation;
  switch (op as OperationName) {
    case 'select_bbox':
    case 'mask_bbox':
    case 'cutout_bbox':
      out = { operation: op as 'select_bbox', bbox: bboxOf(c, op, errors), ...flags() };
      break;
    case 'select_point':
    case 'cutout_point':
      out = { operation: op as 'select_point', point: pointOf(c, op, errors), output_csv: flag(c, 'output_csv', op, errors) };
      break;
    case 'mask_country': {
      const country = c.country;
      if (typeof country !== 'string' || country === '') errors.push(`country is missing for operation "${op}"`);
      else if (!/^[A-Za-z]{3}$/.test(country) || !whereAlpha3(country.toUpperCase()))
        errors.push(`country not in the list of supported countries (e.g. deu) for operation "${op}"`);
      out = { operation: 'mask_country', country: String(country ?? '').toUpperCase(), ...flags() };
      break;
    }
    case 'mask_landonly':
      out = { operation: 'mask_landonly', ...flags() };
      break;
    case 'mask_mask': {
      errors.push(...fileNameErrors(c.mask, 'mask', op));
      const v = c.var ?? 'm_0';
      if (typeof v !== 'string' || !/^[A-Za-z0-9_]+$/.test(v)) errors.push(`only letters, numbers, underscores are permitted in "var" for operation "${op}"`);
      out = { operation: 'mask_mask', mask: String(c.mask), var: String(v), ...flags() };
      break;
    }
    case 'create_mask':
      errors.push(...fileNameErrors(c.shape, 'shape', op), ...fileNameErrors(c.mask, 'mask', op));
      out = { operation: 'create_mask', shape: String(c.shape), mask: String(c.mask) };
      break;
    default:
      out = { operation: op as 'compute_mean' };
  }
  return errors.length > before ? null : out;
}
