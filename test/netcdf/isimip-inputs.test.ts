/**
 * What the ISIMIP v2 endpoint sends (src/isimip/translate.ts) is what netcdf-subset takes: every
 * ISIMIP operation, translated, passes validation and runs, and the conventions land right
 * (ISIMIP bbox [west, east, south, north] and point [lat, lon]).
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanOperation } from '../../src/isimip/operations.js';
import { translate } from '../../src/isimip/translate.js';
import { cdoDiff, makeDataRoot, runJob, sh } from './helpers.js';

let root: string;
let files: Record<'nc4' | 'nc3' | 'packed4d', string>;
let uploads: string;

function native(ops: unknown[], uploaded: string[] = []): Record<string, unknown> {
  const errors: string[] = [];
  const clean = ops.map((o, i) => cleanOperation(o, i, errors));
  expect(errors).toEqual([]);
  const t = translate([files.nc4], clean as never, uploaded);
  if ('errors' in t) throw new Error(JSON.stringify(t.errors));
  return { ...t.inputs };
}

beforeAll(() => {
  ({ root, files } = makeDataRoot());
  uploads = mkdtempSync(join(tmpdir(), 'subsetd-nc-isimip-'));
  copyFileSync(join(root, files.nc4), join(uploads, 'same-grid.nc'));
  writeFileSync(join(uploads, 'box.geojson'), JSON.stringify({ type: 'Polygon', coordinates: [[[5.5, 47], [15.5, 47], [15.5, 55.5], [5.5, 55.5], [5.5, 47]]] }));
});

describe('ISIMIP v2 operations through translate()', () => {
  it.each([
    [[{ operation: 'select_bbox', bbox: [5.5, 15.5, 47, 55.5] }]],
    [[{ operation: 'cutout_bbox', bbox: [170, -170, -50, -10] }]],
    [[{ operation: 'mask_bbox', bbox: [-20, 40, 30, 70], compute_mean: true, output_csv: true }]],
    [[{ operation: 'select_point', point: [52.38, 13.06], output_csv: true }]],
    [[{ operation: 'cutout_point', point: [-33.9, 18.4] }]],
    [[{ operation: 'mask_country', country: 'deu', compute_mean: true, output_csv: true }]],
    [[{ operation: 'mask_landonly', compute_mean: true }]],
  ])('%j', async (ops) => {
    const r = await runJob(root, native(ops));
    expect(r.outputs.files).toHaveLength(1);
  });

  it('bbox [west, east, south, north] becomes the same crop as ncks', async () => {
    const r = await runJob(root, native([{ operation: 'cutout_bbox', bbox: [5.5, 15.5, 47, 55.5] }]));
    const ref = join(root, '..', 'tmp', 'ncks.nc');
    sh('ncks', ['-O', '-h', '-d', 'lat,47.0,55.5', '-d', 'lon,5.5,15.5', join(root, files.nc4), ref]);
    expect(cdoDiff(ref, r.files[0])).toBe('');
  });

  it('create_mask + mask_mask runs: the mask and the shape come out beside the masked file', async () => {
    const r = await runJob(
      root,
      native([{ operation: 'create_mask', shape: 'box.geojson', mask: 'pm.nc' }, { operation: 'mask_mask', mask: 'pm.nc', var: 'm_0', compute_mean: true }], ['box.geojson']),
      { uploadDir: uploads },
    );
    expect(r.outputs.files.map((f) => f.file)).toEqual(['box.geojson', 'pm.nc', 'tas_small_masked_daily_2001_2001_fldmean.nc']);
  });

  it('mask_mask with an uploaded NetCDF mask runs', async () => {
    // The input itself as a mask (its first step): at that step nothing changes.
    const r = await runJob(root, native([{ operation: 'mask_mask', mask: 'same-grid.nc', var: 'tas' }], ['same-grid.nc']), { uploadDir: uploads });
    const [a, b] = [join(root, '..', 'tmp', 'a.nc'), join(root, '..', 'tmp', 'b.nc')];
    sh('cdo', ['-s', 'seltimestep,1', join(root, files.nc4), a]);
    sh('cdo', ['-s', 'seltimestep,1', r.files[0], b]);
    expect(cdoDiff(a, b)).toBe('');
  });
});
