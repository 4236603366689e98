/**
 * ISIMIP v2 request -> `netcdf-subset` inputs. The one place that knows both conventions, so a
 * change in the processor's input format is a change here only.
 *
 *   ISIMIP                                   netcdf-subset
 *   bbox [west, east, south, north]          bbox [west, south, east, north] (OGC order)
 *   point [lat, lon]                         point {type: "Point", coordinates: [lon, lat]}
 *   compute_mean / output_csv (flag or op)   compute_mean / output_csv flags on the operation
 *   create_mask{shape, mask} + mask_mask     mask_polygon{file: shape upload}
 *   mask_mask{mask: uploaded .nc, var}       mask_mask{mask, var} (a NetCDF mask among the uploads)
 */
import type { Bbox, CleanOperation } from './operations.js';

export const NATIVE_PROCESS = 'netcdf-subset';
export const MAX_NATIVE_OPERATIONS = 4;

export type NativeOperation = Record<string, unknown> & { operation: string };
export interface NativeInputs {
  paths: string[];
  operations: NativeOperation[];
}

const ogcBbox = (b: Bbox) => [b.west, b.south, b.east, b.north];
const geoPoint = (p: { lat: number; lon: number }) => ({ type: 'Point', coordinates: [p.lon, p.lat] });
const WHOLE_GRID: Bbox = { west: -180, east: 360, south: -90, north: 90 };

/** Flags only when set, so equal requests hash equal whether or not a client spells out `false`. */
function withFlags(op: NativeOperation, f: { compute_mean?: boolean; output_csv?: boolean }): NativeOperation {
  if (f.compute_mean) op.compute_mean = true;
  if (f.output_csv) op.output_csv = true;
  return op;
}

/**
 * Returns the native inputs, or the messages (ISIMIP wording, under `operations`) of what cannot
 * be expressed. `uploads`: names of the files that came with the request.
 */
export function translate(paths: string[], ops: CleanOperation[], uploads: readonly string[]): { inputs: NativeInputs } | { errors: string[] } {
  const errors: string[] = [];
  const out: NativeOperation[] = [];
  const createdMasks = new Map<string, string>(); // mask name -> shape upload it is made from
  const uploaded = (name: string, op: string) => {
    if (uploads.includes(name)) return true;
    errors.push(`${name} was not uploaded for operation "${op}"`);
    return false;
  };

  for (const op of ops) {
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
        // Rasterising happens inside mask_polygon on each file's own grid: nothing to run here.
        // Recorded even when the shape is missing: that is one error, not a second one at mask_mask.
        uploaded(op.shape, op.operation);
        createdMasks.set(op.mask, op.shape);
        break;
      case 'mask_mask': {
        const shape = createdMasks.get(op.mask);
        if (shape) out.push(withFlags({ operation: 'mask_polygon', file: shape }, op));
        else if (uploaded(op.mask, op.operation)) out.push(withFlags({ operation: 'mask_mask', mask: op.mask, var: op.var }, op));
        break;
      }
      case 'compute_mean':
      case 'output_csv': {
        // Older v2 clients chain these as operations of their own: fold them into the one before.
        let prev = out[out.length - 1];
        if (!prev && op.operation === 'compute_mean') out.push((prev = { operation: 'mask_bbox', bbox: ogcBbox(WHOLE_GRID) }));
        if (!prev) errors.push(`operation "${op.operation}" needs a preceding operation`);
        else if (op.operation === 'compute_mean' && 'point' in prev) errors.push('operation "compute_mean" cannot follow a point selection');
        else prev[op.operation] = true;
        break;
      }
    }
  }
  if (out.length === 0 && errors.length === 0) errors.push('Operations result in no operation to perform.');
  if (out.length > MAX_NATIVE_OPERATIONS) errors.push(`To many operations provided (max: ${MAX_NATIVE_OPERATIONS}).`);
  return errors.length ? { errors } : { inputs: { paths, operations: out } };
}
