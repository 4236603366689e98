/**
 * isimip-files-api's resolution limits: an input whose grid has more longitudes or latitudes than
 * its operation family allows (cdo-style selections and masks, ncks-style cut-outs) is refused
 * under `resolution`, in its words ("is to high", sic). Checked for every operation before the job
 * exists, where isimip-files-api checks the first at request time and the rest while running.
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

export async function resolutionErrors(paths: string[], ops: CleanOperation[], dataRoot: string, limits: ResolutionLimits): Promise<string[]> {
  const families = ops.map((o) => FAMILY[o.operation]);
  if (!families.some(Boolean)) return [];
  const sizes = await Promise.all(paths.map((p) => gridSize(join(dataRoot, p))));
  const errors: string[] = [];
  ops.forEach((op, i) => {
    const family = families[i];
    if (!family) return;
    const [maxLon, maxLat] = limits[family];
    paths.forEach((path, j) => {
      const size = sizes[j];
      if (size && (size[0] > maxLon || size[1] > maxLat))
        errors.push(`resolution of ${path} (${size[0]}, ${size[1]}) is to high (${maxLon}, ${maxLat}) for operation "${op.operation}"`);
    });
  });
  return errors;
}
