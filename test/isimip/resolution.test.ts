/**
 * isimip-files-api's resolution limits on the ISIMIP v2 endpoint: an input grid larger than the
 * operation family allows is refused under `resolution` in its words, for cdo-style and
 * ncks-style operations apart, after the paths and operations passed (as there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { validateRequest, type IsimipLimits } from '../../src/isimip/validate.js';
import { findGrid } from '../../processors/netcdf/grid.js';
import { openSource } from '../../processors/netcdf/io/open-source.js';
import { makeDataRoot } from '../netcdf/helpers.js';

let root: string;
let file: string;
let size: [number, number];

beforeAll(async () => {
  const made = makeDataRoot();
  root = made.root;
  file = made.files.nc4;
  const src = await openSource(join(root, file));
  const g = findGrid(src)!;
  size = [g.lon.length, g.lat.length];
  src.close();
});
afterAll(() => rmSync(join(root, '..'), { recursive: true, force: true }));

const limits = (cdo: [number, number], ncks: [number, number]): IsimipLimits => ({ maxFiles: 32, maxOperations: 4, cdo, ncks });

describe('ISIMIP v2 resolution limits', () => {
  it('refuses a grid over the cdo limit for cdo-style operations only, naming path, grid and limit', async () => {
    const small = limits([size[0] - 1, size[1]], [100_000, 100_000]);
    const r = await validateRequest({ paths: [file], operations: [{ operation: 'mask_bbox', bbox: [0, 10, 0, 10] }] }, root, small);
    expect(r).toEqual({ errors: { resolution: [`resolution of ${file} (${size[0]}, ${size[1]}) is to high (${size[0] - 1}, ${size[1]}) for operation "mask_bbox"`] } });
    // The cut-outs have their own (here generous) limit; masks by country or land have none.
    for (const op of [{ operation: 'cutout_bbox', bbox: [0, 10, 0, 10] }, { operation: 'mask_landonly' }, { operation: 'mask_country', country: 'deu' }])
      expect(await validateRequest({ paths: [file], operations: [op] }, root, small)).toHaveProperty('request');
  });

  it('refuses a grid over the ncks limit for the cut-outs, by latitudes too', async () => {
    const r = await validateRequest({ paths: [file], operations: [{ operation: 'cutout_point', point: [1, 2] }] }, root, limits([100_000, 100_000], [size[0], size[1] - 1]));
    expect(r).toEqual({ errors: { resolution: [`resolution of ${file} (${size[0]}, ${size[1]}) is to high (${size[0]}, ${size[1] - 1}) for operation "cutout_point"`] } });
  });

  it('checks only the first operation at request time (the later ones per file, in the job)', async () => {
    const tight = limits([1, 1], [1, 1]);
    expect(await validateRequest({ paths: [file], operations: [{ operation: 'mask_landonly' }, { operation: 'mask_bbox', bbox: [0, 10, 0, 10] }] }, root, tight)).toHaveProperty('request');
    expect(await validateRequest({ paths: [file], operations: [{ operation: 'create_mask', shape: 's.geojson', mask: 'm.nc' }, { operation: 'mask_mask', mask: 'm.nc' }] }, root, tight)).toHaveProperty('request');
    expect(await validateRequest({ paths: [file], operations: [{ operation: 'select_bbox', bbox: [0, 10, 0, 10] }, { operation: 'mask_landonly' }] }, root, tight)).toEqual({
      errors: { resolution: [`resolution of ${file} (${size[0]}, ${size[1]}) is to high (1, 1) for operation "select_bbox"`] },
    });
  });

  it('is checked only once paths and operations are valid, and passes at the limit', async () => {
    const tight = limits([1, 1], [1, 1]);
    const bad = await validateRequest({ paths: [file], operations: [{ operation: 'select_bbox' }] }, root, tight);
    expect(bad).toEqual({ errors: { operations: ['bbox is missing for operation "select_bbox"'] } });
    expect(await validateRequest({ paths: [file], operations: [{ operation: 'select_point', point: [1, 2] }] }, root, limits(size, size))).toHaveProperty('request');
  });
});
