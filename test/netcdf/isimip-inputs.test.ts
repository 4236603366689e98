/**
 * What the ISIMIP v2 endpoint sends (src/isimip/translate.ts) is what netcdf-subset takes: every
 * ISIMIP operation, translated, passes validation and runs, and the conventions land right
 * (ISIMIP bbox [west, east, south, north] and point [lat, lon]).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanOperation } from '../../src/isimip/operations.js';
import { translate } from '../../src/isimip/translate.js';
import { isimipNames, isimipTag, pyFloat } from '../../processors/netcdf/isimip-names.js';
import { parseOps } from '../../processors/netcdf/operations.js';
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
  // HDF5 signature, truncated body: passes the checks at submission, fails in the job.
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(root, 'sub/corrupt.nc'), readFileSync(join(root, files.nc4)).subarray(0, 4096));
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
    // Named as isimip-files-api names it: the mask's stem as the tag, no "_fldmean".
    expect(r.outputs.files.map((f) => f.file)).toEqual(['box.geojson', 'pm.nc', 'tas_small_pm_daily_2001_2001.nc']);
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

describe('naming "isimip": output names as isimip-files-api gives them', () => {
  it('prints numbers as Python repr() prints floats', () => {
    const cases: Array<[number, string]> = [
      [47, '47.0'], [5.5, '5.5'], [-13.06, '-13.06'], [0, '0.0'], [-0, '-0.0'], [100, '100.0'], [52.380551, '52.380551'],
      [0.1, '0.1'], [0.0001, '0.0001'], [0.00001, '1e-05'], [1.5e-7, '1.5e-07'], [1e15, '1000000000000000.0'], [1e16, '1e+16'], [1.25e22, '1.25e+22'],
      [Infinity, 'inf'], [-Infinity, '-inf'], [NaN, 'nan'],
    ];
    for (const [x, py] of cases) expect([x, pyFloat(x)]).toEqual([x, py]);
  });

  const op = (o: Record<string, unknown>) => parseOps([o])[0];
  it('puts each tag in the name: "_global_" replaced, later tags joined by "+", .csv for CSV', () => {
    const chain = parseOps([
      { operation: 'mask_bbox', bbox: [5.5, 47, 15.5, 55.5] },
      { operation: 'mask_country', country: 'DEU', compute_mean: true, output_csv: true },
    ]);
    expect(isimipNames('ISIMIP3b/tas_global_daily_2015.nc', chain, new Set())).toEqual({
      nc: 'tas_lon5.5to15.5lat47.0to55.5+deu_daily_2015.nc',
      csv: 'tas_lon5.5to15.5lat47.0to55.5+deu_daily_2015.csv',
    });
    // No "_global_": the tag goes after the stem; the suffix stays (.nc4 here).
    expect(isimipNames('a/b/tas.nc4', [op({ operation: 'select_point', point: { type: 'Point', coordinates: [13.25, 52.5] } })], new Set())).toEqual({
      nc: 'tas_lon13.25lat52.5.nc4',
      csv: 'tas_lon13.25lat52.5.csv',
    });
    expect(isimipTag(op({ operation: 'mask_landonly' }))).toBe('landonly');
    expect(isimipTag(op({ operation: 'mask_mask', mask: 'my.mask.nc' }))).toBe('my.mask');
    // ncks cut-outs and create_mask have no tag there.
    expect(isimipTag(op({ operation: 'cutout_bbox', bbox: [0, 0, 1, 1] }))).toBe(null);
    expect(isimipNames('x_global_y.nc', parseOps([{ operation: 'create_mask', file: 's.geojson', mask: 'm.nc' }, { operation: 'cutout_point', point: { type: 'Point', coordinates: [1, 2] } }]), new Set())).toEqual({
      nc: 'x_global_y.nc',
      csv: 'x_global_y.csv',
    });
    // Two inputs of the same name: the second gets -2 (isimip-files-api writes both under one name).
    const taken = new Set<string>();
    const land = [op({ operation: 'mask_landonly' })];
    expect(isimipNames('a/tas_global_x.nc', land, taken).nc).toBe('tas_landonly_x.nc');
    expect(isimipNames('b/tas_global_x.nc', land, taken).nc).toBe('tas_landonly_x-2.nc');
  });

  it('names the outputs of a job so, and keys its errors by file name', async () => {
    const r = await runJob(root, { ...native([{ operation: 'mask_bbox', bbox: [5.5, 15.5, 47, 55.5], compute_mean: true }]), paths: [files.nc4, 'sub/corrupt.nc'] });
    expect(r.outputs.files.map((f) => f.file)).toEqual(['tas_small_lon5.5to15.5lat47.0to55.5_daily_2001_2001.nc']);
    expect(Object.keys(JSON.parse(readFileSync(r.path('errors.json'), 'utf8')))).toEqual(['corrupt.nc']);
  });

  it('max_resolution: a file over an operation\'s limit fails on its own, in isimip-files-api\'s words', async () => {
    const inputs = { paths: [files.nc3, files.nc4], operations: [{ operation: 'mask_landonly' }, { operation: 'mask_bbox', bbox: [5, 35, 30, 70], max_resolution: [360, 180] }] };
    const r = await runJob(root, inputs);
    // Default naming here: the tags joined by "_".
    expect(r.outputs.files.map((f) => f.file)).toEqual(['tas_nc3_landonly_lat35to70lon5to30_daily_2001_2001.nc']);
    expect(JSON.parse(readFileSync(r.path('errors.json'), 'utf8'))).toEqual({ [files.nc4]: `resolution of ${files.nc4} (720, 360) is to high (360, 180) for operation "mask_bbox"` });
    await expect(runJob(root, { ...inputs, operations: [{ operation: 'mask_landonly', max_resolution: [360] }] })).rejects.toMatchObject({ input: 'operations.0.max_resolution' });
    await expect(runJob(root, { ...inputs, naming: 'cdo' })).rejects.toMatchObject({ input: 'naming' });
  });
});
