/**
 * isimip-files-api's resolution limits: an input whose grid has more longitudes or latitudes than
 * its operation family allows (cdo-style selections and masks, ncks-style cut-outs) is refused
 * under `resolution`, in its words ("is to high", sic). As there, only the first operation is
 * checked at request time ("resolution can only be checked for the first operation"); the others'
 * limits go with the job (translate.ts: `max_resolution`) and netcdf-subset skips a file over
 * one, naming it in the job's errors.
 */
import { join } from 'node:path';
import { findGrid } from '../../processors/netcdf/grid.js';
import { openSource } from '../../processors/netcdf/io/open-source.js';
import type { CleanOperation } from './operations.js';

export interface ResolutionLimits {
  cdo: readonly [number, number];
  ncks: readonly [number, number];
}

const FAMILY: Partial<Record<CleanOperation['operation'], keyof ResolutionLimits>> = {
  select_bbox: 'cdo',
  select_point: 'cdo',
  mask_bbox: 'cdo',
  mask_mask: 'cdo',
  cutout_bbox: 'ncks',
  cutout_point: 'ncks',
};

/** The (longitudes, latitudes) limit of an operation's family, or null when it has none. */
export function maxResolution(op: CleanOperation['operation'], limits: ResolutionLimits): readonly [number, number] | null {
  const family = FAMILY[op];
  return family ? limits[family] : null;
}

/** (longitudes, latitudes) of a file's grid; null when it has none or cannot be read (the processor says why). */
async function gridSize(abs: string): Promise<[number, number] | null> {
  try {
    const src = await openSource(abs);
    try {
      const g = findGrid(src);
      return g ? [g.lon.length, g.lat.length] : null;
    } finally {
      src.close();
    }
  } catch {
    return null;
  }
}

/** The request-time check: the first operation against every path (the rest: per file in the job). */
export async function resolutionErrors(paths: string[], ops: CleanOperation[], dataRoot: string, limits: ResolutionLimits): Promise<string[]> {
  const first = ops[0];
  const max = first && maxResolution(first.operation, limits);
  if (!max) return [];
  const [maxLon, maxLat] = max;
  const sizes = await Promise.all(paths.map((p) => gridSize(join(dataRoot, p))));
  const errors: string[] = [];
  paths.forEach((path, j) => {
    const size = sizes[j];
    if (size && (size[0] > maxLon || size[1] > maxLat))
      errors.push(`resolution of ${path} (${size[0]}, ${size[1]}) is to high (${maxLon}, ${maxLat}) for operation "${first.operation}"`);
  });
  return errors;
}
