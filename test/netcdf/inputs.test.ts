/**
 * Bad input is refused before a job runs (InputError naming the input -> HTTP 400): paths that
 * leave the data root, missing and non-NetCDF files, files without a lat/lon grid, unknown
 * countries, boxes without a cell, too many files or operations, bad polygons. Uploaded
 * polygons (GeoJSON, zipped shapefile) and mask files give the same cells as mask_country.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getCountry } from '../../src/boundaries/index.js';
import { resolveDataFile } from '../../src/processes/data-path.js';
import { InputError } from '../../src/processes/types.js';
// @ts-expect-error plain JS script without types
import { writeNc3 } from '../../scripts/nc3-writer.mjs';
import { cdoDiff, gdalMask, makeDataRoot, proc, runJob, sh } from './helpers.js';

let root: string;
let tmp: string;
let files: Record<'nc4' | 'nc3' | 'packed4d', string>;

async function rejects(inputs: Record<string, unknown>, input: string | RegExp, message?: RegExp, uploadDir?: string) {
  const err = await Promise.resolve(proc.validate!(inputs, { dataRoot: root, uploadDir })).then(() => null, (e) => e);
  expect(err, 'validate accepted the input').toBeInstanceOf(InputError);
  expect((err as InputError).input).toMatch(input);
  if (message) expect((err as Error).message).toMatch(message);
}

beforeAll(() => {
  ({ root, files, tmp } = makeDataRoot());
  writeFileSync(join(root, 'notes.nc'), 'this is not a NetCDF file\n');
  symlinkSync('/etc/hostname', join(root, 'escape.nc'));
  writeNc3(join(root, 'nogrid.nc'), { dims: [{ name: 'x', size: 3 }], vars: [{ name: 'v', type: 'float', dims: ['x'], attrs: {}, fill: () => [1, 2, 3] }] });
});

const op = { operation: 'mask_country', country: 'DEU' };

describe('data paths', () => {
  it.each([
    ['../etc/passwd', /\.\./],
    ['a/../../x.nc', /\.\./],
    ['/etc/passwd', /absolute/],
    ['escape.nc', /outside the data root/],
    ['missing.nc', /does not exist/],
    ['', /non-empty/],
  ])('refuses %j', (p, msg) => {
    expect(() => resolveDataFile(root, p, 'paths.0')).toThrow(msg);
    try {
      resolveDataFile(root, p, 'paths.3');
    } catch (e) {
      expect((e as InputError).input).toBe('paths.3');
    }
  });

  it('refuses a directory and accepts a file below the root', () => {
    mkdirSync(join(root, 'sub'), { recursive: true });
    expect(() => resolveDataFile(root, 'sub', 'p')).toThrow(/not a regular file/);
    expect(resolveDataFile(root, files.nc4, 'p')).toBe(join(root, files.nc4));
  });
});

describe('validate', () => {
  it('names the bad path', () => rejects({ paths: [files.nc4, '../x.nc'], operations: [op] }, 'paths.1'));
  it('refuses a file that is not NetCDF', () => rejects({ paths: ['notes.nc'], operations: [op] }, 'paths.0', /not a NetCDF file/));
  it('refuses a file without a lat/lon grid', () => rejects({ paths: ['nogrid.nc'], operations: [op] }, 'paths.0', /latitude\/longitude/));
  it('refuses an unknown country', () => rejects({ paths: [files.nc4], operations: [{ operation: 'mask_country', country: 'XYZ' }] }, 'operations.0.country'));
  it('refuses a bbox without a cell centre', () => rejects({ paths: [files.nc4], operations: [{ operation: 'select_bbox', bbox: [10.1, 50.1, 10.2, 50.2] }] }, 'operations.0.bbox', /no grid cell/));
  it('refuses more than 32 files', () => rejects({ paths: Array(33).fill(files.nc4), operations: [op] }, 'paths', /32/));
  it('refuses more than 4 operations', () => rejects({ paths: [files.nc4], operations: Array(5).fill(op) }, 'operations', /4/));
  it('refuses flags before the last operation', () => rejects({ paths: [files.nc4], operations: [{ ...op, compute_mean: true }, { operation: 'mask_landonly' }] }, 'operations.0'));
  it('refuses an unclosed polygon', () =>
    rejects({ paths: [files.nc4], operations: [{ operation: 'mask_polygon', polygon: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] } }] }, /operations\.0\.polygon/, /not closed|at least 4/));
  it('refuses a missing upload', () => rejects({ paths: [files.nc4], operations: [{ operation: 'mask_polygon', file: 'shape.geojson' }] }, 'operations.0.file', /not uploaded/, tmp));
  it('refuses a bad point', () => rejects({ paths: [files.nc4], operations: [{ operation: 'select_point', point: { type: 'Point', coordinates: [10, 95] } }] }, 'operations.0.point'));
});

describe('uploaded regions', () => {
  let uploads: string;
  let reference: string;
  beforeAll(async () => {
    uploads = mkdtempSync(join(tmpdir(), 'subsetd-nc-up-'));
    const parts = getCountry('CHE');
    writeFileSync(join(uploads, 'che.geojson'), JSON.stringify({ type: 'FeatureCollection', features: [{ type: 'Feature', properties: { name: 'CH' }, geometry: { type: 'MultiPolygon', coordinates: parts } }] }));
    execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', join(tmp, 'che_shp'), join(uploads, 'che.geojson')]);
    execFileSync('zip', ['-j', '-q', join(uploads, 'che.zip'), ...['shp', 'shx', 'dbf', 'prj'].map((e) => join(tmp, 'che_shp', `che.${e}`))]);
    const sn = gdalMask(tmp, 'che', parts, 0.5);
    sh('cdo', ['-s', '-f', 'nc4c', 'chname,Band1,m_0', '-invertlat', sn, join(uploads, 'che_mask.nc')]);
    reference = (await runJob(root, { paths: [files.nc4], operations: [{ operation: 'mask_country', country: 'CHE' }] })).files[0];
  });

  it.each([
    ['GeoJSON upload', { operation: 'mask_polygon', file: 'che.geojson' }],
    ['zipped shapefile', { operation: 'mask_polygon', file: 'che.zip' }],
    ['inline GeoJSON', { operation: 'mask_polygon', polygon: { type: 'MultiPolygon', coordinates: getCountry('CHE') } }],
    ['ISIMIP mask file (mask_mask)', { operation: 'mask_mask', mask: 'che_mask.nc', var: 'm_0' }],
  ])('%s gives the cells of mask_country', async (_, operation) => {
    const r = await runJob(root, { paths: [files.nc4], operations: [operation] }, { uploadDir: uploads });
    expect(r.outputs.files[0].file).toBe('tas_small_masked_daily_2001_2001.nc');
    expect(cdoDiff(reference, r.files[0])).toBe('');
  });
});
