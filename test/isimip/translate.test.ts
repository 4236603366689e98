// ISIMIP v2 operations -> netcdf-subset inputs: axis orders, flags, mask pairs, limits.
import { describe, expect, it } from 'vitest';
import { hasCountry } from '../../src/boundaries/index.js';
import { cleanOperation, ISIMIP_COUNTRIES, type CleanOperation } from '../../src/isimip/operations.js';
import { translate } from '../../src/isimip/translate.js';

function clean(ops: unknown[]): CleanOperation[] {
  const errors: string[] = [];
  const out = ops.map((o, i) => cleanOperation(o, i, errors));
  expect(errors).toEqual([]);
  return out as CleanOperation[];
}
const ok = (ops: unknown[], uploads: string[] = []) => {
  const r = translate(['a.nc'], clean(ops), uploads);
  if ('errors' in r) throw new Error(JSON.stringify(r.errors));
  return r.inputs.operations;
};
const fails = (ops: unknown[], uploads: string[] = []) => {
  const r = translate(['a.nc'], clean(ops), uploads);
  return 'errors' in r ? r.errors : {};
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
    // The cut-outs (ncks there) ignore compute_mean / output_csv, as isimip-files-api does.
    expect(ok([{ operation: 'cutout_point', point: ['52.5', '13.25'], output_csv: true }])).toEqual([
      { operation: 'cutout_point', point: { type: 'Point', coordinates: [13.25, 52.5] } },
    ]);
  });

  it('passes compute_mean/output_csv flags, and only when true (so equal requests hash equal)', () => {
    expect(ok([{ operation: 'mask_country', country: 'deu', compute_mean: true, output_csv: true }])).toEqual([
      { operation: 'mask_country', country: 'DEU', compute_mean: true, output_csv: true },
    ]);
    expect(ok([{ operation: 'mask_landonly', compute_mean: false, output_csv: false }])).toEqual([{ operation: 'mask_landonly' }]);
  });

  it('passes create_mask on as netcdf-subset create_mask, and mask_mask on its mask with var', () => {
    const ops = [
      { operation: 'create_mask', shape: 'shape.zip', mask: 'shape.nc' },
      { operation: 'mask_mask', mask: 'shape.nc', var: 'm_1', compute_mean: true },
    ];
    expect(ok(ops, ['shape.zip'])).toEqual([
      { operation: 'create_mask', file: 'shape.zip', mask: 'shape.nc' },
      { operation: 'mask_mask', mask: 'shape.nc', var: 'm_1', compute_mean: true },
    ]);
    expect(fails(ops, [])).toEqual({ uploads: ['File "shape.zip" for operation "create_mask" is not part of the uploads'] });
    // Alone it is a job of its own (the mask file is the output), no longer "no operation".
    expect(ok(ops.slice(0, 1), ['shape.zip'])).toEqual([{ operation: 'create_mask', file: 'shape.zip', mask: 'shape.nc' }]);
    // Only a create_mask before it makes the mask.
    expect(fails([ops[1], ops[0]], ['shape.zip'])).toEqual({ operations: ['shape.nc was not uploaded for operation "mask_mask"'] });
  });

  it('counts create_mask towards the 4 operations, as isimip-files-api does', () => {
    const ops = [{ operation: 'create_mask', shape: 's.geojson', mask: 'm.nc' }, ...Array.from({ length: 4 }, () => ({ operation: 'mask_mask', mask: 'm.nc' }))];
    expect(fails(ops, ['s.geojson'])).toEqual({ operations: ['To many operations provided (max: 4).'] });
    expect(ok(ops.slice(0, 4), ['s.geojson'])).toHaveLength(4);
  });

  it('passes an uploaded NetCDF mask to mask_mask with its variable (m_0 by default)', () => {
    expect(ok([{ operation: 'mask_mask', mask: 'pm.nc', var: 'm_DEU' }], ['pm.nc'])).toEqual([{ operation: 'mask_mask', mask: 'pm.nc', var: 'm_DEU' }]);
    expect(ok([{ operation: 'mask_mask', mask: 'pm.nc' }], ['pm.nc'])[0].var).toBe('m_0');
    expect(fails([{ operation: 'mask_mask', mask: 'pm.nc' }])).toEqual({ operations: ['pm.nc was not uploaded for operation "mask_mask"'] });
  });

  it('refuses more operations than netcdf-subset chains (4)', () => {
    const five = Array.from({ length: 5 }, () => ({ operation: 'mask_landonly' }));
    expect(fails(five)).toEqual({ operations: ['To many operations provided (max: 4).'] });
    expect(ok(five.slice(0, 4))).toHaveLength(4);
  });

  it('orders south > north for the processor (isimip-files-api accepts the box either way)', () => {
    expect(ok([{ operation: 'mask_bbox', bbox: [5.5, 15.5, 55.5, 47] }])).toEqual([{ operation: 'mask_bbox', bbox: [5.5, 47, 15.5, 55.5] }]);
  });

  it('drops compute_mean at and after a point selection: the mean of one cell is the cell', () => {
    expect(ok([{ operation: 'select_point', point: [52.5, 13.25], compute_mean: true, output_csv: true }])).toEqual([
      { operation: 'select_point', point: { type: 'Point', coordinates: [13.25, 52.5] }, output_csv: true },
    ]);
    expect(ok([{ operation: 'cutout_point', point: [52.5, 13.25] }, { operation: 'mask_country', country: 'deu', compute_mean: true }])[1]).toEqual({ operation: 'mask_country', country: 'DEU' });
    // Before the point it is a mean over a region: kept (netcdf-subset refuses flags before the last operation).
    expect(ok([{ operation: 'mask_bbox', bbox: [0, 20, 40, 60], compute_mean: true }, { operation: 'select_point', point: [50, 10] }])[0].compute_mean).toBe(true);
  });

  it("gives the operations after the first their resolution limit (the first one's is checked at POST)", () => {
    const ops = clean([
      { operation: 'select_bbox', bbox: [0, 20, 40, 60] },
      { operation: 'mask_landonly' },
      { operation: 'mask_bbox', bbox: [0, 20, 40, 60] },
      { operation: 'cutout_point', point: [50, 10] },
    ]);
    const r = translate(['a.nc'], ops, [], { cdo: [10, 20], ncks: [30, 40] });
    if ('errors' in r) throw new Error(JSON.stringify(r.errors));
    expect(r.inputs.operations.map((o) => o.max_resolution)).toEqual([undefined, undefined, [10, 20], [30, 40]]);
    expect(r.inputs.naming).toBe('isimip');
  });

  it('a create_mask shape that is no file name is no upload: named as Python prints it', () => {
    expect(fails([{ operation: 'create_mask', shape: null, mask: 'pm.nc' }], ['None'])).toEqual({ uploads: ['File "None" for operation "create_mask" is not part of the uploads'] });
    expect(fails([{ operation: 'create_mask', shape: '', mask: 'pm.nc' }], [])).toEqual({ uploads: ['File "" for operation "create_mask" is not part of the uploads'] });
  });
});

describe('cleanOperation messages (isimip-files-api wording, word for word)', () => {
  const errs = (op: unknown, index = 0) => {
    const e: string[] = [];
    cleanOperation(op, index, e);
    return e;
  };
  it('names what is wrong', () => {
    expect(errs({ operation: 'invalid' })).toEqual(['operation "invalid" was not found']);
    expect(errs({ operation: null })).toEqual(['operation "None" was not found']);
    // compute_mean and output_csv are flags there, not operations.
    expect(errs({ operation: 'compute_mean' })).toEqual(['operation "compute_mean" was not found']);
    expect(errs({ bbox: [1, 2, 3, 4] }, 2)).toEqual(['operation [2] does not have a "operation" key']);
    expect(errs('select_bbox', 1)).toEqual(['operation [1] does not have a "operation" key']);
    expect(errs({ operation: 'select_bbox' })).toEqual(['bbox is missing for operation "select_bbox"']);
    expect(errs({ operation: 'select_bbox', bbox: [1, 2, 'x', 4] })).toEqual(['bbox is not of the form [%f, %f, %f, %f] for operation "select_bbox"']);
    expect(errs({ operation: 'select_point' })).toEqual(['point is missing for operation "select_point"']);
    expect(errs({ operation: 'select_point', point: [52.38, 'wrong'] })).toEqual(['point is not of the form [%f, %f] for operation "select_point"']);
    // [lon, lat] by mistake shows up as an out-of-range latitude.
    expect(errs({ operation: 'select_point', point: [-100, 52] })).toEqual(['latitude is < -90 in point for operation "select_point"']);
    expect(errs({ operation: 'cutout_point', point: [52, 200] })).toEqual(['longitude is > 180 in point for operation "cutout_point"']);
    expect(errs({ operation: 'mask_country' })).toEqual(['country is missing for operation "mask_country"']);
    expect(errs({ operation: 'mask_country', country: 'xyz' })).toEqual(['country not in the list of supported countries (e.g. deu) for operation "mask_country"']);
    expect(errs({ operation: 'mask_mask' })).toEqual(['mask is missing for operation "mask_mask"']);
    expect(errs({ operation: 'mask_mask', mask: 'pm.nc ; wrong' })).toEqual(['only letters, numbers, hyphens, underscores, and periods are permitted in "mask" for operation "mask_mask"']);
    expect(errs({ operation: 'mask_mask', mask: '..pm.nc' })).toEqual(['consecutive periods are not permitted in "mask" for operation "mask_mask"']);
    expect(errs({ operation: 'mask_mask', mask: 'pm.nc', var: 'm_0 ; wrong' })).toEqual(['only letters, numbers, underscores are permitted in "var" for operation "mask_mask"']);
    expect(errs({ operation: 'create_mask', shape: 'pm.zip', mask: 'pm.nc', var: 'a b' })).toEqual(['only letters, numbers, underscores are permitted in "var" for operation "create_mask"']);
    expect(errs({ operation: 'create_mask', mask: 'pm.nc' })).toEqual(['shape is missing for operation "create_mask"']);
    // null and "" are not missing there: the uploads check names them (translate).
    expect(errs({ operation: 'create_mask', shape: null, mask: 'pm.nc' })).toEqual([]);
  });

  it('reads bbox and point as Python does: the leading items of any sequence', () => {
    const clean1 = (op: unknown) => {
      const e: string[] = [];
      const c = cleanOperation(op, 0, e);
      expect(e).toEqual([]);
      return c as any;
    };
    expect(clean1({ operation: 'select_bbox', bbox: [1, '2', 3, 4, 'ignored'] }).bbox).toEqual({ west: 1, east: 2, south: 3, north: 4 });
    // A string is a sequence too: float('1'), float('2'), ...
    expect(clean1({ operation: 'select_bbox', bbox: '1234' }).bbox).toEqual({ west: 1, east: 2, south: 3, north: 4 });
    expect(clean1({ operation: 'cutout_point', point: [52.5, 13.25, 99] }).point).toEqual({ lat: 52.5, lon: 13.25 });
    expect(errs({ operation: 'select_point', point: [52.5] })).toEqual(['point is not of the form [%f, %f] for operation "select_point"']);
    expect(errs({ operation: 'select_bbox', bbox: 5 })).toEqual(['bbox is not of the form [%f, %f, %f, %f] for operation "select_bbox"']);
  });

  it('orders messages as its validate_* methods run (name order)', () => {
    expect(errs({ operation: 'select_point', point: 'x', output_csv: 1.5 })).toEqual([
      'only true or false are permitted in "output_csv" for operation "select_point"',
      'point is not of the form [%f, %f] for operation "select_point"',
    ]);
  });

  it("checks country against isimip-files-api's list; only an absent key is missing", () => {
    expect(errs({ operation: 'mask_country' })).toEqual(['country is missing for operation "mask_country"']);
    for (const country of ['', null, 5, 'lie', 'ALA', 'deutschland'])
      expect(errs({ operation: 'mask_country', country })).toEqual(['country not in the list of supported countries (e.g. deu) for operation "mask_country"']);
    expect(ISIMIP_COUNTRIES.size).toBe(214);
    // Every code of its list is masked here, but for these (its own groupings, and regions Natural
    // Earth draws as part of another country): refused with their own message.
    const unmasked = [...ISIMIP_COUNTRIES].filter((c) => !hasCountry(c)).sort();
    expect(unmasked).toEqual(['ANT', 'CSID', 'GLP', 'GUF', 'IOSID', 'JKX', 'MTQ', 'MYT', 'PSID', 'REU', 'SJM']);
    for (const c of unmasked)
      expect(errs({ operation: 'mask_country', country: c.toLowerCase() })).toEqual([`country "${c}" is supported by isimip-files-api but has no mask on this server (no outline in Natural Earth 1:50m) for operation "mask_country"`]);
  });

  it('one message per bbox: the first bound out of range, longitudes -180..180', () => {
    const bbox = (b: number[]) => errs({ operation: 'select_bbox', bbox: b });
    expect(bbox([181, 10, 0, 10])).toEqual(['west longitude is > 180 in bbox for operation "select_bbox"']);
    expect(bbox([-181, 10, 0, 10])).toEqual(['west longitude is < -180 in bbox for operation "select_bbox"']);
    expect(bbox([0, 190, 0, 10])).toEqual(['east longitude is > 180 in bbox for operation "select_bbox"']);
    expect(bbox([0, -190, 0, 10])).toEqual(['east longitude is < -180 in bbox for operation "select_bbox"']);
    expect(bbox([0, 10, 91, 10])).toEqual(['south latitude is > 90 in bbox for operation "select_bbox"']);
    expect(bbox([0, 10, -91, 10])).toEqual(['south latitude is < -90 in bbox for operation "select_bbox"']);
    expect(bbox([0, 10, 0, 95])).toEqual(['north latitude is > 90 in bbox for operation "select_bbox"']);
    expect(bbox([0, 10, 0, -95])).toEqual(['north latitude is < -90 in bbox for operation "select_bbox"']);
    expect(bbox([300, 400, 100, 100])).toEqual(['west longitude is > 180 in bbox for operation "select_bbox"']);
    // south > north passes there (translate orders them).
    expect(bbox([0, 10, 20, 10])).toEqual([]);
  });

  it('flags: "only true or false", where isimip-files-api checks them (0 and 1 pass, null does not)', () => {
    expect(errs({ operation: 'mask_bbox', bbox: [0, 1, 0, 1], compute_mean: 'yes' })).toEqual(['only true or false are permitted in "compute_mean" for operation "mask_bbox"']);
    expect(errs({ operation: 'mask_country', country: 'deu', output_csv: null })).toEqual(['only true or false are permitted in "output_csv" for operation "mask_country"']);
    expect(errs({ operation: 'mask_country', country: 'xyz', compute_mean: 2 })).toEqual([
      'only true or false are permitted in "compute_mean" for operation "mask_country"',
      'country not in the list of supported countries (e.g. deu) for operation "mask_country"',
    ]);
    expect(errs({ operation: 'mask_bbox', bbox: [0, 1, 0, 1], compute_mean: 1, output_csv: 0 })).toEqual([]);
    expect(errs({ operation: 'select_point', point: [1, 2], output_csv: 'x' })).toEqual(['only true or false are permitted in "output_csv" for operation "select_point"']);
    // Not checked: compute_mean on select_point, both on mask_landonly and on the cut-outs.
    expect(errs({ operation: 'select_point', point: [1, 2], compute_mean: 'x' })).toEqual([]);
    expect(errs({ operation: 'mask_landonly', compute_mean: 'yes' })).toEqual([]);
    expect(errs({ operation: 'cutout_bbox', bbox: [0, 1, 0, 1], output_csv: 'x' })).toEqual([]);
  });
});
