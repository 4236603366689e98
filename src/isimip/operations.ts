/**
 * ISIMIP Files API v2 operations as the clients send them, checked field by field. Messages are
 * worded as isimip-files-api words them, so scripts that print `errors` read the same here.
 * Conventions are ISIMIP's, not ours: bbox [west, east, south, north]; point [lat, lon] (its
 * server code and client read it so, although its docs once said [lon, lat]).
 */
import { hasCountry } from '../boundaries/index.js';

/** Its operations, as GET / lists them: compute_mean and output_csv are flags of an operation. */
export const OPERATIONS = [
  'select_bbox',
  'select_point',
  'mask_bbox',
  'mask_mask',
  'mask_country',
  'mask_landonly',
  'create_mask',
  'cutout_bbox',
  'cutout_point',
] as const;
export type OperationName = (typeof OPERATIONS)[number];

/** An operation after its own checks: numbers parsed, names normalised. */
export type CleanOperation =
  | { operation: 'select_bbox' | 'mask_bbox' | 'cutout_bbox'; bbox: Bbox; compute_mean: boolean; output_csv: boolean }
  | { operation: 'select_point' | 'cutout_point'; point: { lat: number; lon: number }; compute_mean: boolean; output_csv: boolean }
  | { operation: 'mask_country'; country: string; compute_mean: boolean; output_csv: boolean }
  | { operation: 'mask_landonly'; compute_mean: boolean; output_csv: boolean }
  | { operation: 'mask_mask'; mask: string; var: string; compute_mean: boolean; output_csv: boolean }
  /** shape: as isimip-files-api prints it; shapeIsName: whether it can name an upload at all. */
  | { operation: 'create_mask'; shape: string; shapeIsName: boolean; mask: string };

/**
 * isimip-files-api's COUNTRYMASKS_COUNTRIES (config.py), the codes its country masks file has:
 * ISO 3166-1 alpha-3 plus a few of its own (CSID, IOSID, PSID: island groups; JKX: Jammu and
 * Kashmir; ANT: Netherlands Antilles). `country` is checked against this list, as there.
 */
export const ISIMIP_COUNTRIES: ReadonlySet<string> = new Set(
  (
    'AFG ALB DZA AND AGO ATG ARG ARM AUS AUT AZE BHS BHR BGD BRB BLR BEL BLZ BEN BTN BOL BIH BWA BRA BRN BGR BFA BDI KHM CMR ' +
    'CAN CPV CSID CYM CAF TCD CHL CHN COL COM COG CRI HRV CUB CYP CZE CIV PRK COD DNK DJI DMA DOM ECU EGY SLV GNQ ERI EST ETH ' +
    'FLK FRO FJI FIN FRA GUF PYF ATF GAB GMB GEO DEU GHA GRC GRL GRD GLP GUM GTM GIN GNB GUY HTI HMD HND HKG HUN ISL IND IOSID ' +
    'IDN IRN IRQ IRL IMN ISR ITA JAM JKX JPN JOR KAZ KEN KIR KWT KGZ LAO LVA LBN LSO LBR LBY LTU LUX MDG MWI MYS MLI MLT MTQ ' +
    'MRT MUS MYT MEX FSM MDA MNG MNE MAR MOZ MMR NAM NPL NLD ANT NCL NZL NIC NER NGA NIU NOR OMN PSID PAK PLW PSE PAN PNG PRY ' +
    'PER PHL POL PRT PRI QAT KOR ROU RUS RWA REU LCA SPM VCT WSM STP SAU SEN SRB SLE SGP SVK SVN SLB SOM ZAF SGS SSD ESP LKA ' +
    'SDN SUR SJM SWZ SWE CHE SYR TWN TJK THA MKD TLS TGO TON TTO TUN TUR TKM GBR UGA UKR ARE TZA VIR USA URY UZB VUT VEN VNM ' +
    'ESH YEM ZMB ZWE'
  ).split(' '),
);

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

/**
 * A compute_mean / output_csv flag. Checked where isimip-files-api checks it (`validate`): its
 * check is Python's `value in [True, False]`, so 0 and 1 pass too and null does not.
 */
function flag(config: Record<string, unknown>, key: string, op: string, errors: string[], validate = true): boolean {
  if (!(key in config)) return false;
  const v = config[key];
  const ok = v === true || v === false || v === 0 || v === 1;
  if (!ok && validate) errors.push(`only true or false are permitted in "${key}" for operation "${op}"`);
  return ok && Boolean(v);
}

/** Letters, digits, hyphens, underscores, periods; no "..": a file name that cannot leave its directory. */
function fileNameErrors(value: unknown, key: string, op: string): string[] {
  if (typeof value !== 'string' || value === '') return [`${key} is missing for operation "${op}"`];
  if (!/^[A-Za-z0-9_.-]+$/.test(value)) return [`only letters, numbers, hyphens, underscores, and periods are permitted in "${key}" for operation "${op}"`];
  if (value.includes('..')) return [`consecutive periods are not permitted in "${key}" for operation "${op}"`];
  return [];
}

/** The first bound outside its range, as isimip-files-api names it (one message at most). */
function firstOutOfRange(bounds: Array<[name: string, value: number, limit: number]>, where: string, op: string): string | null {
  for (const [name, v, limit] of bounds) {
    if (v > limit) return `${name} is > ${limit} in ${where} for operation "${op}"`;
    if (v < -limit) return `${name} is < -${limit} in ${where} for operation "${op}"`;
  }
  return null;
}

/**
 * The first `n` items as isimip-files-api reads them (`float(config['bbox'][i])` for i < n): any
 * sequence of at least n (further items are ignored, a string is a sequence of characters),
 * each item a number or a numeric string. Null when that raises there.
 */
function leading(v: unknown, n: number): number[] | null {
  const items = typeof v === 'string' ? Array.from(v) : Array.isArray(v) ? v : null;
  if (!items || items.length < n) return null;
  try {
    return items.slice(0, n).map(num);
  } catch {
    return null;
  }
}

function bboxOf(config: Record<string, unknown>, op: string, errors: string[]): Bbox {
  if (!('bbox' in config)) return (errors.push(`bbox is missing for operation "${op}"`), { west: 0, east: 0, south: 0, north: 0 });
  const b = leading(config.bbox, 4);
  if (!b) return (errors.push(`bbox is not of the form [%f, %f, %f, %f] for operation "${op}"`), { west: 0, east: 0, south: 0, north: 0 });
  const [west, east, south, north] = b;
  // Longitudes -180..180 on this endpoint, as there. South > north passes, as there (translate
  // orders the two for the processor).
  const msg = firstOutOfRange([['west longitude', west, 180], ['east longitude', east, 180], ['south latitude', south, 90], ['north latitude', north, 90]], 'bbox', op);
  if (msg) errors.push(msg);
  return { west, east, south, north };
}

function pointOf(config: Record<string, unknown>, op: string, errors: string[]): { lat: number; lon: number } {
  if (!('point' in config)) return (errors.push(`point is missing for operation "${op}"`), { lat: 0, lon: 0 });
  const p = leading(config.point, 2);
  if (!p) return (errors.push(`point is not of the form [%f, %f] for operation "${op}"`), { lat: 0, lon: 0 });
  const [lat, lon] = p;
  // [lat, lon] (see the top of this file), each axis checked as isimip-files-api checks it.
  const msg = firstOutOfRange([['latitude', lat, 90], ['longitude', lon, 180]], 'point', op);
  if (msg) errors.push(msg);
  return { lat, lon };
}

/**
 * Checks one operation object (the `index`th of the request); returns it cleaned, with errors
 * appended to `errors`. Which flags each operation validates and honours follows
 * isimip-files-api: the cut-outs (ncks) ignore both, select_point validates only output_csv,
 * mask_landonly validates neither but honours both.
 */
export function cleanOperation(config: unknown, index: number, errors: string[]): CleanOperation | null {
  if (!config || typeof config !== 'object' || Array.isArray(config) || !('operation' in config)) {
    errors.push(`operation [${index}] does not have a "operation" key`);
    return null;
  }
  const c = config as Record<string, unknown>;
  const op = c.operation;
  if (typeof op !== 'string' || !(OPERATIONS as readonly string[]).includes(op)) {
    errors.push(`operation "${pyStr(op)}" was not found`);
    return null;
  }
  const before = errors.length;
  const flags = (validateMean = true, validateCsv = true) => ({
    compute_mean: flag(c, 'compute_mean', op, errors, validateMean),
    output_csv: flag(c, 'output_csv', op, errors, validateCsv),
  });
  const noFlags = { compute_mean: false, output_csv: false };
  let out: CleanOperation;
  switch (op as OperationName) {
    case 'select_bbox':
    case 'mask_bbox': {
      const bbox = bboxOf(c, op, errors);
      out = { operation: op as 'select_bbox', bbox, ...flags() };
      break;
    }
    case 'cutout_bbox':
      out = { operation: 'cutout_bbox', bbox: bboxOf(c, op, errors), ...noFlags };
      break;
    case 'select_point': {
      const point = pointOf(c, op, errors);
      out = { operation: 'select_point', point, ...flags(false, true) };
      // Its order: output_csv, point (validate_* in name order).
      reorder(errors, before);
      break;
    }
    case 'cutout_point':
      out = { operation: 'cutout_point', point: pointOf(c, op, errors), ...noFlags };
      break;
    case 'mask_country': {
      const f = flags();
      const country = typeof c.country === 'string' ? c.country.toUpperCase() : null;
      // Only an absent key is "missing" there; "" (or null, a 500 there) is not in the list.
      if (!('country' in c)) errors.push(`country is missing for operation "${op}"`);
      else if (country === null || !ISIMIP_COUNTRIES.has(country)) errors.push(`country not in the list of supported countries (e.g. deu) for operation "${op}"`);
      // Codes of its masks file that have no outline here (its own groupings, overseas regions
      // Natural Earth draws as part of another country): refused at once rather than a job
      // whose every file fails. docs/isimip.md, deliberate differences.
      else if (!hasCountry(country)) errors.push(`country "${country}" is supported by isimip-files-api but has no mask on this server (no outline in Natural Earth 1:50m) for operation "${op}"`);
      out = { operation: 'mask_country', country: country ?? '', ...f };
      // Its order: compute_mean, country, output_csv (validate_* in name order).
      reorder(errors, before);
      break;
    }
    case 'mask_landonly':
      out = { operation: 'mask_landonly', ...flags(false, false) };
      break;
    case 'mask_mask': {
      const f = flags();
      errors.push(...fileNameErrors(c.mask, 'mask', op), ...varErrors(c, op));
      out = { operation: 'mask_mask', mask: String(c.mask), var: String(c.var ?? 'm_0'), ...f };
      reorder(errors, before);
      break;
    }
    case 'create_mask':
      // Whether the shape was uploaded is the uploads check's (translate), as there; only an
      // absent key is "missing": null or "" end there (`File "None" ... is not part of the uploads`).
      errors.push(...fileNameErrors(c.mask, 'mask', op));
      if (!('shape' in c)) errors.push(`shape is missing for operation "${op}"`);
      errors.push(...varErrors(c, op));
      out = { operation: 'create_mask', shape: pyStr(c.shape), shapeIsName: typeof c.shape === 'string', mask: String(c.mask) };
      break;
  }
  return errors.length > before ? null : out;
}

function varErrors(c: Record<string, unknown>, op: string): string[] {
  if (!('var' in c)) return [];
  return typeof c.var === 'string' && /^[A-Za-z0-9_]*$/.test(c.var) ? [] : [`only letters, numbers, underscores are permitted in "var" for operation "${op}"`];
}

/**
 * isimip-files-api runs an operation's `validate_*` methods in name order (bbox, compute_mean,
 * country, mask, output_csv, point, shape, var): the messages added since `from` in that order.
 */
function reorder(errors: string[], from: number): void {
  const rank = (m: string) => ['bbox', 'compute_mean', 'country', 'mask', 'output_csv', 'point', 'shape', 'var'].findIndex((k) => m.includes(`"${k}"`) || m.startsWith(`${k} `) || m.includes(` ${k} `));
  const mine = errors.splice(from).map((m, i) => ({ m, i, r: rank(m) }));
  mine.sort((a, b) => a.r - b.r || a.i - b.i);
  errors.push(...mine.map((x) => x.m));
}

/** Python's str() of a JSON value, as isimip-files-api's messages print them. */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v); // JSON 1.0 arrives as 1: Python would print 1.0
  const repr = (x: unknown): string => (typeof x === 'string' ? `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'` : pyStr(x));
  if (Array.isArray(v)) return `[${v.map(repr).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${repr(k)}: ${repr(x)}`).join(', ')}}`;
}
