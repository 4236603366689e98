/**
 * ISIMIP v2 request -> `netcdf-subset` inputs. The one place that knows both conventions, so a
 * change in the processor's input format is a change here only.
 *
 *   ISIMIP                                   netcdf-subset
 *   bbox [west, east, south, north]          bbox [west, south, east, north] (OGC order; south > north swapped)
 *   point [lat, lon]                         point {type: "Point", coordinates: [lon, lat]}
 *   compute_mean / output_csv flags          compute_mean / output_csv flags on the operation
 *                                            (compute_mean dropped at and after a point: one cell's mean is the cell)
 *   operations[1..]' resolution limits       max_resolution [lon, lat] on the operation (checked per file)
 *   create_mask{shape, mask}                 create_mask{file: shape upload, mask} (once per job, writes the mask)
 *   mask_mask{mask: created by create_mask}  mask_mask{mask, var} (reads the file create_mask made)
 *   mask_mask{mask: uploaded .nc, var}       mask_mask{mask, var} (a NetCDF mask among the uploads)
 */
import type { Bbox, CleanOperation } from './operations.js';
import { maxResolution, type ResolutionLimits } from './resolution.js';
import type { ErrorMap } from './validate.js';

export const NATIVE_PROCESS = 'netcdf-subset';
export const MAX_NATIVE_OPERATIONS = 4;

export type NativeOperation = Record<string, unknown> & { operation: string };
export interface NativeInputs {
  paths: string[];
  operations: NativeOperation[];
  naming: 'isimip';
  csv_header?: false;
}

// isimip-files-api takes south > north (cdo's sellonlatbox orders them); netcdf-subset wants them in order.
const ogcBbox = (b: Bbox) => [b.west, Math.min(b.south, b.north), b.east, Math.max(b.south, b.north)];
const geoPoint = (p: { lat: number; lon: number }) => ({ type: 'Point', coordinates: [p.lon, p.lat] });

/** Flags only when set, so equal requests hash equal whether or not a client spells out `false`. */
function withFlags(op: NativeOperation, f: { compute_mean?: boolean; output_csv?: boolean }): NativeOperation {
  if (f.compute_mean) op.compute_mean = true;
  if (f.output_csv) op.output_csv = true;
  return op;
}

/**
 * Returns the native inputs, or the messages (ISIMIP wording and keys) of what cannot be
 * expressed. `uploads`: names of the files that came with the request. `limits`: the resolution
 * limits; isimip-files-api checks the first operation's at request time (validate.ts) and the
 * others' per file while the job runs, so those travel with the operation (`max_resolution`).
 */
export function translate(paths: string[], ops: CleanOperation[], uploads: readonly string[], limits?: ResolutionLimits): { inputs: NativeInputs } | { errors: ErrorMap } {
  const errors: ErrorMap = {};
  const add = (key: string, msg: string) => (errors[key] ??= []).push(msg);
  const out: NativeOperation[] = [];
  const createdMasks = new Set<string>(); // mask names made by an earlier create_mask
  // After a point selection the field is one cell: its mean is that cell (cdo's fldmean there).
  const pointAt = ops.findIndex((o) => o.operation === 'select_point' || o.operation === 'cutout_point');

  for (const [i, clean] of ops.entries()) {
    const op = pointAt >= 0 && i >= pointAt && 'compute_mean' in clean ? { ...clean, compute_mean: false } : clean;
    const before = out.length;
    switch (op.operation) {
      case 'select_bbox':
      case 'mask_bbox':
      case 'cutout_bbox':
        out.push(withFlags({ operation: op.operation, bbox: ogcBbox(op.bbox) }, op));
        break;
      case 'select_point':
      case 'cutout_point':
        out.push(withFlags({ operation: op.operation, point: geoPoint(op.point) }, op));
        break;
      case 'mask_country':
        out.push(withFlags({ operation: 'mask_country', country: op.country }, op));
        break;
      case 'mask_landonly':
        out.push(withFlags({ operation: 'mask_landonly' }, op));
        break;
      case 'create_mask':
        // Counts towards the operations limit, as there. Recorded even when the shape is missing:
        // that is one error, not a second one at mask_mask.
        if (!op.shapeIsName || !uploads.includes(op.shape)) add('uploads', `File "${op.shape}" for operation "create_mask" is not part of the uploads`);
        out.push({ operation: 'create_mask', file: op.shape, mask: op.mask });
        createdMasks.add(op.mask);
        break;
      case 'mask_mask':
        // The same native operation whether the mask was uploaded or made by an earlier
        // create_mask (netcdf-subset tells them apart by the chain). Refused at once when it is
        // neither (isimip-files-api lets the job fail later in cdo): docs/isimip.md.
        if (createdMasks.has(op.mask) || uploads.includes(op.mask)) out.push(withFlags({ operation: 'mask_mask', mask: op.mask, var: op.var }, op));
        else add('operations', `${op.mask} was not uploaded for operation "mask_mask"`);
        break;
    }
    const max = i > 0 && limits ? maxResolution(op.operation, limits) : null;
    if (max && out.length > before) out[out.length - 1].max_resolution = [...max];
  }
  if (out.length === 0 && Object.keys(errors).length === 0) add('operations', 'Operations result in no operation to perform.');
  if (out.length > MAX_NATIVE_OPERATIONS) add('operations', `To many operations provided (max: ${MAX_NATIVE_OPERATIONS}).`);
  if (Object.keys(errors).length) return { errors };
  // CSV as isimip-files-api's cdo call writes it: no header line. Only when CSV is asked for, so
  // other requests keep their job ids.
  // Output names as isimip-files-api gives them (tags joined by "+", no "_fldmean").
  return { inputs: { paths, operations: out, naming: 'isimip', ...(out.some((o) => o.output_csv) ? { csv_header: false } : {}) } };
}
