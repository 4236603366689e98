// ISIMIP v2 operations -> netcdf-subset inputs: axis orders, flags, mask pairs, limits.
import { describe, expect, it } from 'vitest';
import { cleanOperation, type CleanOperation } from '../../src/isimip/operations.js';
import { translate } from '../../src/isimip/translate.js';

function clean(ops: unknown[]): CleanOperation[] {
  const errors: string[] = [];
  const out = ops.map((o) => cleanOperation(o, errors));
  expect(errors).toEqual([]);
  return out as CleanOperation[];
}
const ok = (ops: unknown[], uploads: string[] = []) => {
  const r = translate(['a.nc'], clean(ops), uploads);
  if ('errors' in r) throw new Error(r.errors.join('; '));
  return r.inputs.operations;
};
const fails = (ops: unknown[], uploads: string[] = []) => {
  const r = translate(['a.nc'], clean(ops), uploads);
  return 'errors' in r ? r.errors : [];
};

describe('translate', () => {
  it('turns bbox [west, east, south, north] into OGC [west, south, east, north]', () => {
    for (const operation of ['select_bbox', 'mask_bbox', 'cutout_bbox'])
      expect(ok([{ operation, bbox: [5.5, 15.5, 47, 55.5] }])).toEqual([{ operation, bbox: [5.5, 47, 15.5, 55.5] }]);
  });

  it('keeps a box across the antimeridian (west > east) as it is', () => {
    expect(ok([{ operation: 'select_bbox', bbox: [170, -170, -20, 0] }])[0].bbox).toEqual([170, -20, -170, 0]);
  });

  it('reads point as [lat, lon] (ISIMIP code and client) and writes a GeoJSON [lon, lat]', () => {
    expect(ok([{ operation: 'select_point', point: [52.380551, 13.064332] }])).toEqual([
      { operation: 'select_point', point: { type: 'Point', coordinates: [13.064332, 52.380551] } },
    ]);
    expect(ok([{ operation: 'cutout_point', point: ['52.5', '13.25'], output_csv: true }])).toEqual([
      { operation: 'cutout_point', point: { type: 'Point', coordinates: [13.25, 52.5] }, output_csv: true },
    ]);
  });

  it('passes compute_mean/output_csv flags, and only when true (so equal requests hash equal)', () => {
    expect(ok([{ operation: 'mask_country', country: 'deu', compute_mean: true, output_csv: true }])).toEqual([
      { operation: 'mask_country', country: 'DEU', compute_mean: true, output_csv: true },
    ]);
    expect(ok([{ operation: 'mask_landonly', compute_mean: false, output_csv: false }])).toEqual([{ operation: 'mask_landonly' }]);
  });

  it('folds compute_mean / output_csv given as operations into the operation before', () => {
    expect(ok([{ operation: 'mask_country', country: 'bra' }, { operation: 'compute_mean' }, { operation: 'output_csv' }])).toEqual([
      { operation: 'mask_country', country: 'BRA', compute_mean: true, output_csv: true },
    ]);
    // Alone, compute_mean is the field mean of the whole grid (cdo fldmean on the file).
    expect(ok([{ operation: 'compute_mean' }])).toEqual([{ operation: 'mask_bbox', bbox: [-180, -90, 360, 90], compute_mean: true }]);
    expect(fails([{ operation: 'output_csv' }])).toEqual(['operation "output_csv" needs a preceding operation']);
    expect(fails([{ operation: 'select_point', point: [1, 2] }, { operation: 'compute_mean' }])).toEqual(['operation "compute_mean" cannot follow a point selection']);
  });

  it('makes create_mask + mask_mask one mask_polygon on the uploaded shape', () => {
    const ops = [
      { operation: 'create_mask', shape: 'shape.zip', mask: 'shape.nc' },
      { operation: 'mask_mask', mask: 'shape.nc', compute_mean: true },
    ];
    expect(ok(ops, ['shape.zip'])).toEqual([{ operation: 'mask_polygon', file: 'shape.zip', compute_mean: true }]);
    expect(fails(ops, [])).toEqual(['shape.zip was not uploaded for operation "create_mask"']);
  });

  it('passes an uploaded NetCDF mask to mask_mask with its variable (m_0 by default)', () => {
    expect(ok([{ operation: 'mask_mask', mask: 'pm.nc', var: 'm_DEU' }], ['pm.nc'])).toEqual([{ operation: 'mask_mask', mask: 'pm.nc', var: 'm_DEU' }]);
    expect(ok([{ operation: 'mask_mask', mask: 'pm.nc' }], ['pm.nc'])[0].var).toBe('m_0');
    expect(fails([{ operation: 'mask_mask', mask: 'pm.nc' }])).toEqual(['pm.nc was not uploaded for operation "mask_mask"']);
  });

  it('refuses more operations than netcdf-subset chains (4)', () => {
    const five = Array.from({ length: 5 }, () => ({ operation: 'mask_landonly' }));
    expect(fails(five)).toEqual(['To many operations provided (max: 4).']);
    expect(ok(five.slice(0, 4))).toHaveLength(4);
  });
});

describe('cleanOperation messages (isimip-files-api wording)', () => {
  const errs = (op: unknown) => {
    const e: string[] = [];
    cleanOperation(op, e);
    return e;
  };
  it('names what is wrong', () => {
    expect(errs({ operation: 'invalid' })).toEqual(['operation "invalid" was not found']);
    expect(errs({ operation: 'select_bbox' })).toEqual(['bbox is missing for operation "select_bbox"']);
    expect(errs({ operation: 'select_bbox', bbox: [1, 2, 'x', 4] })).toEqual(['bbox is not of the form [%f, %f, %f, %f] for operation "select_bbox"']);
    expect(errs({ operation: 'select_point' })).toEqual(['point is missing for operation "select_point"']);
    expect(errs({ operation: 'select_point', point: [52.38, 'wrong'] })).toEqual(['point is not of the form [%f, %f] for operation "select_point"']);
    // [lon, lat] by mistake shows up as an out-of-range latitude.
    expect(errs({ operation: 'select_point', point: [-100, 52] })).toEqual(['latitude is < -90 for operation "select_point"']);
    expect(errs({ operation: 'mask_country' })).toEqual(['country is missing for operation "mask_country"']);
    expect(errs({ operation: 'mask_country', country: 'xyz' })).toEqual(['country not in the list of supported countries (e.g. deu) for operation "mask_country"']);
    expect(errs({ operation: 'mask_mask' })).toEqual(['mask is missing for operation "mask_mask"']);
    expect(errs({ operation: 'mask_mask', mask: 'pm.nc ; wrong' })).toEqual(['only letters, numbers, hyphens, and periods are permitted in "mask" for operation "mask_mask"']);
    expect(errs({ operation: 'mask_mask', mask: '..pm.nc' })).toEqual(['consecutive periods are not permitted in "mask" for operation "mask_mask"']);
    expect(errs({ operation: 'mask_mask', mask: 'pm.nc', var: 'm_0 ; wrong' })).toEqual(['only letters, numbers, underscores are permitted in "var" for operation "mask_mask"']);
    expect(errs({ operation: 'mask_landonly', compute_mean: 'yes' })).toEqual(['compute_mean needs to be true or false for operation "mask_landonly"']);
  });
});
