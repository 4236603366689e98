/**
 * Output names as isimip-files-api gives them (input `naming: "isimip"`, set by the ISIMIP v2
 * endpoint), following its tasks.run_task: each operation with a region tag puts it into the
 * input's file name, the first one in place of `_global_` (or appended to the stem), each later
 * one joined to the tags before it with `+`; an output_csv operation makes the suffix `.csv`.
 * Tags: select_bbox / mask_bbox `lon{west}to{east}lat{south}to{north}`, select_point
 * `lon{lon}lat{lat}` (numbers as Python prints floats), mask_country the code in lower case,
 * mask_landonly `landonly`, mask_mask the mask file's stem; the cut-outs and create_mask none.
 * compute_mean leaves the name alone.
 */
import { posix } from 'node:path';
import { perFileOps, type Op } from './operations.js';

/** Python's repr() of a float: shortest round-trip digits, `.0` on whole numbers, exponent outside 1e-4 ≤ |x| < 1e16. */
export function pyFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, e] = x.toExponential().split('e');
  const exp = Number(e);
  const sign = mant.startsWith('-') ? '-' : '';
  const digits = mant.replace(/^-/, '').replace('.', '');
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const int = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${int}.${frac || '0'}`;
}

/** The region tag of an operation as isimip-files-api's get_region() makes it, or null. */
export function isimipTag(op: Op): string | null {
  switch (op.operation) {
    case 'select_bbox':
    case 'mask_bbox': {
      const [w, s, e, n] = op.bbox;
      return `lon${pyFloat(w)}to${pyFloat(e)}lat${pyFloat(s)}to${pyFloat(n)}`;
    }
    case 'select_point':
      return `lon${pyFloat(op.point.lon)}lat${pyFloat(op.point.lat)}`;
    case 'mask_country':
      return op.country.toLowerCase();
    case 'mask_landonly':
      return 'landonly';
    case 'mask_mask':
      return stem(op.mask);
    case 'mask_polygon':
      return 'masked'; // not an ISIMIP operation
    default:
      return null; // cutout_bbox, cutout_point (ncks), create_mask
  }
}

/** pathlib's suffix and stem of a file name: the last `.ext`, unless the name starts with its only dot. */
function splitName(name: string): [stem: string, suffix: string] {
  const i = name.lastIndexOf('.');
  return i > 0 && i < name.length - 1 ? [name.slice(0, i), name.slice(i)] : [name, ''];
}
const stem = (name: string) => splitName(name)[0];
const withSuffix = (name: string, suffix: string) => splitName(name)[0] + suffix;

/**
 * The NetCDF and the CSV name of an input's output. `taken`: names already in the job's outputs
 * (a clash, two inputs of the same name, gets `-2`, `-3`, ... before the suffix).
 */
export function isimipNames(rel: string, ops: Op[], taken: Set<string>): { nc: string; csv: string } {
  let name = posix.basename(rel);
  let region: string | null = null;
  for (const op of perFileOps(ops)) {
    let tag = isimipTag(op);
    if (!tag) continue;
    if (region === null) name = name.includes('_global_') ? name.replaceAll('_global_', `_${tag}_`) : `${stem(name)}_${tag}${splitName(name)[1]}`;
    else {
      tag = `${region}+${tag}`;
      name = name.replaceAll(region, tag);
    }
    region = tag;
  }
  let nc = name;
  let csv = withSuffix(name, '.csv');
  for (let k = 2; taken.has(nc) || taken.has(csv); k++) {
    const [s, x] = splitName(name);
    nc = `${s}-${k}${x}`;
    csv = `${s}-${k}.csv`;
  }
  taken.add(nc).add(csv);
  return { nc, csv };
}
