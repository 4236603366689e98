/**
 * What an auto build is for (processors/netcdf/ts-cache/region-hook.ts varsTheCacheWouldAnswer,
 * build-worker.ts ensureFile's forOps): the build thread applies the region reader's own rule to
 * the request that queued it, on the file's grid, so a file is cached exactly when later requests
 * like that one would be answered from the cache. Grids and variables are described, not files:
 * the rule needs only their shapes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Grid } from '../../processors/netcdf/grid.js';
import type { Var } from '../../processors/netcdf/model.js';
import { ensureFile } from '../../processors/netcdf/ts-cache/build-worker.js';
import { REGION_TOO_LARGE, varsTheCacheWouldAnswer } from '../../processors/netcdf/ts-cache/region-hook.js';
import { listEntries } from '../../processors/netcdf/ts-cache/index.js';
import { wantsCache } from '../../processors/netcdf/ts-cache/auto.js';
// @ts-expect-error plain JS script without types
import { makeIsimipLike } from '../../scripts/make-netcdf-fixtures.mjs';

/** The ISIMIP 0.5° grid, north to south, as its files store it. */
const grid: Grid = {
  latDim: 'lat',
  lonDim: 'lon',
  lat: Float64Array.from({ length: 360 }, (_, i) => 89.75 - 0.5 * i),
  lon: Float64Array.from({ length: 720 }, (_, j) => -179.75 + 0.5 * j),
  key: 'isimip-0.5',
};
const daily = (years: number, type: Var['type'] = 'float'): Var => ({ name: `tas${years}${type}`, dims: ['time', 'lat', 'lon'], shape: [365 * years, 360, 720], type, attrs: [] });
const year = daily(1);
const decade = daily(10);
const decadeShorts = daily(10, 'short');
const names = (vs: Var[]) => vs.map((v) => v.name);
const ask = async (ops: unknown, vars = [year, decade, decadeShorts]) => names(await varsTheCacheWouldAnswer(ops, grid, vars));

describe('which requests an auto build is for (the region reader’s rule)', () => {
  it('a point: every variable, whatever its length', async () => {
    expect(await ask([{ operation: 'select_point', point: { type: 'Point', coordinates: [13.06, 52.38] } }])).toEqual(names([year, decade, decadeShorts]));
    expect(await ask([{ operation: 'cutout_point', point: { type: 'Point', coordinates: [-70, -20] } }])).toEqual(names([year, decade, decadeShorts]));
  });

  it('Germany (a bbox, a country): on one year and on ten', async () => {
    expect(await ask([{ operation: 'cutout_bbox', bbox: [5.5, 47, 15.5, 55.5] }])).toEqual(names([year, decade, decadeShorts]));
    expect(await ask([{ operation: 'mask_country', country: 'DEU', compute_mean: true, output_csv: true }])).toEqual(names([year, decade, decadeShorts]));
  });

  it('Europe: a year of floats, not ten (64 MiB of blocks to decode); ten years of shorts decode half as much', async () => {
    // 50° × 35° at 0.5°: 7 000 cells in ~35 blocks. Ten years of floats: 35 × 256 × 3650 × 4 B ≈ 131 MB.
    const europe = [{ operation: 'select_bbox', bbox: [-10, 35, 40, 70], compute_mean: true }];
    expect(await ask(europe)).toEqual(names([year]));
    // A box of 12 blocks: 12 × 256 × 3650 × 2 B ≈ 22 MB of shorts, 45 MB of floats.
    expect(await ask([{ operation: 'cutout_bbox', bbox: [0, 40, 20, 60] }])).toEqual(names([year, decade, decadeShorts]));
  });

  it('the whole globe: nothing; a large country: a year, not ten', async () => {
    expect(await ask([{ operation: 'mask_bbox', bbox: [-180, -90, 180, 90], compute_mean: true, output_csv: true }])).toEqual([]);
    expect(await ask([{ operation: 'mask_country', country: 'RUS' }])).toEqual(names([year]));
    // Brazil, ~24 blocks: ten years of floats decode 90 MB, of shorts 45 MB.
    expect(await ask([{ operation: 'mask_country', country: 'BRA' }])).toEqual(names([year, decadeShorts]));
  });

  it('masks from uploads (gone with their job) cannot be made here: the other operations decide, alone they count as small', async () => {
    expect(await ask([{ operation: 'mask_polygon', polygon: 'gone.geojson' }])).toEqual(names([year, decade, decadeShorts]));
    expect(await ask([{ operation: 'mask_mask', mask: 'gone.nc', var: 'm_0' }])).toEqual(names([year, decade, decadeShorts]));
    // The globe cut by an uploaded mask: judged by the globe (a superset of its cells).
    expect(await ask([{ operation: 'select_bbox', bbox: [-180, -90, 180, 90] }, { operation: 'mask_mask', mask: 'gone.nc', var: 'm_0' }])).toEqual([]);
    expect(await ask([{ operation: 'cutout_bbox', bbox: [5.5, 47, 15.5, 55.5] }, { operation: 'mask_polygon', polygon: 'gone.geojson' }])).toEqual(names([year, decade, decadeShorts]));
  });

  it('a request that selects no cell of this file: nothing', async () => {
    // A box between two cell centres of the 0.5° grid.
    expect(await ask([{ operation: 'select_bbox', bbox: [0.1, 0.1, 0.2, 0.2] }])).toEqual([]);
  });

  it('the main thread asks the build thread for every point or region request, and for no whole-grid mask alone', () => {
    expect(wantsCache({ operations: [{ operation: 'select_bbox', bbox: [-180, -90, 180, 90] }] })).toBe(true);
    expect(wantsCache({ operations: [{ operation: 'mask_country', country: 'DEU' }] })).toBe(true);
    expect(wantsCache({ operations: [{ operation: 'mask_landonly' }] })).toBe(false);
    expect(wantsCache({ operations: [{ operation: 'mask_mask', mask: 'm.nc' }] })).toBe(false);
    expect(wantsCache({ operations: 'nonsense' })).toBe(false);
  });
});

describe('ensureFile for a request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'subsetd-tstrigger-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bounds = { maxBytes: 0, minFreeBytes: 0 };

  it('builds nothing for a region the cache would not answer, and the entry for one it would', async () => {
    // 0.5° × 60 days: the whole globe keeps 259 200 cells × 60 × 4 B = 62 MB (> 48 MiB held).
    const file = join(dir, 'tas_trigger_global_daily_2001_2001.nc');
    makeIsimipLike({ file, nt: 60, res: 0.5 });
    const globe = await ensureFile(file, { dir: join(dir, 'c'), bounds, durable: false, forOps: [[{ operation: 'mask_bbox', bbox: [-180, -90, 180, 90], compute_mean: true }]] });
    expect(globe.built).toEqual([]);
    expect(globe.skipped).toEqual([{ variable: 'tas', reason: REGION_TOO_LARGE }]);
    expect(listEntries(join(dir, 'c'))).toEqual([]);
    // The same file asked for the globe and for Germany (two queued requests): built.
    const both = await ensureFile(file, { dir: join(dir, 'c'), bounds, durable: false, forOps: [[{ operation: 'mask_bbox', bbox: [-180, -90, 180, 90] }], [{ operation: 'mask_country', country: 'DEU' }]] });
    expect(both.built.map((b) => b.variable)).toEqual(['tas']);
    expect(listEntries(join(dir, 'c'))).toHaveLength(1);
  }, 60_000);
});
