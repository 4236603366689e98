/**
 * output_csv on a region without compute_mean writes what isimip-files-api writes: `cdo -s
 * outputtab,date,value,nohead` of the region, whitespace turned into commas — compared line for
 * line with that cdo command on the same file (crop, mask, masked-out and missing cells).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatG } from '../../processors/netcdf/printf-g.js';
import { makeDataRoot, runJob, sh } from './helpers.js';

let root: string;
let files: Record<'nc4' | 'nc3' | 'packed4d', string>;

beforeAll(() => {
  ({ root, files } = makeDataRoot());
});

/** What isimip-files-api's cdo call leaves in the CSV: each output line's fields joined by commas. */
const cdoCsv = (args: string[]) =>
  sh('cdo', ['-s', 'outputtab,date,value,nohead', ...args, join(root, files.nc4)])
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.trim().split(/\s+/).join(','));

const mine = async (operation: Record<string, unknown>) => {
  const r = await runJob(root, { paths: [files.nc4], operations: [{ ...operation, output_csv: true }], csv_header: false });
  expect(r.files).toHaveLength(1);
  expect(r.files[0]).toMatch(/\.csv$/);
  return readFileSync(r.files[0], 'utf8').split('\n').filter(Boolean);
};

describe('output_csv of a region (cdo outputtab,date,value,nohead)', () => {
  it('select_bbox: the same lines as cdo sellonlatbox', async () => {
    const ref = cdoCsv(['-sellonlatbox,5.5,15.5,47,55.5']);
    expect(ref.length).toBeGreaterThan(10);
    expect(await mine({ operation: 'select_bbox', bbox: [5.5, 47, 15.5, 55.5] })).toEqual(ref);
  });

  it('mask_bbox: the whole grid, cells outside as the missing value, as cdo masklonlatbox', async () => {
    const ref = cdoCsv(['-masklonlatbox,-20,40,30,70']);
    const got = await mine({ operation: 'mask_bbox', bbox: [-20, 30, 40, 70] });
    expect(got).toHaveLength(ref.length);
    expect(got).toEqual(ref);
  });
});

describe('CSV with and without its header line', () => {
  it('starts with "date,value" unless csv_header is false; then point and field-mean series are cdo outputtab nohead', async () => {
    const withHeader = await runJob(root, { paths: [files.nc4], operations: [{ operation: 'select_bbox', bbox: [5.5, 47, 15.5, 55.5], output_csv: true }] });
    expect(readFileSync(withHeader.files[0], 'utf8').split('\n')[0]).toBe('date,value');
    const mean = await runJob(root, { paths: [files.nc4], operations: [{ operation: 'mask_bbox', bbox: [-20, 30, 40, 70], compute_mean: true, output_csv: true }], csv_header: false });
    const ref = cdoCsv(['-fldmean', '-masklonlatbox,-20,40,30,70']);
    const got = readFileSync(mean.files[0], 'utf8').split('\n').filter(Boolean);
    expect(got.map((l) => l.split(',')[0])).toEqual(ref.map((l) => l.split(',')[0]));
    // Same digits as cdo's %g; the last may differ by the summation order of the mean.
    got.forEach((l, i) => expect(Number(l.split(',')[1])).toBeCloseTo(Number(ref[i].split(',')[1]), 3));
    expect(got.every((l) => /^\d{4}-\d\d-\d\d,-?\d+(\.\d+)?(e[+-]\d\d)?$/.test(l))).toBe(true);
  });
});

describe('formatG (C printf %g)', () => {
  it('prints as C does', () => {
    const cases: Array<[number, number, string]> = [
      [273.1512345, 7, '273.1512'], [0.000012345, 7, '1.2345e-05'], [123456789, 7, '1.234568e+08'], [1e20, 7, '1e+20'],
      [-9e33, 7, '-9e+33'], [1, 7, '1'], [0.0001, 7, '0.0001'], [100000, 7, '100000'], [1234567, 7, '1234567'], [12345678, 7, '1.234568e+07'],
      [0, 7, '0'], [-2.5, 7, '-2.5'], [273.151245117188, 15, '273.151245117188'], [0.1, 15, '0.1'],
      // Exact ties to even, as glibc (263.15625 and 269.03125 are float32 values); 263.16875 is no tie as a double.
      [263.15625, 7, '263.1562'], [269.03125, 7, '269.0312'], [263.16875, 7, '263.1687'], [-263.15625, 7, '-263.1562'], [2.5, 1, '2'], [3.5, 1, '4'], [0.5, 1, '0.5'], [125, 2, '1.2e+02'], [135, 2, '1.4e+02'],
    ];
    for (const [x, p, want] of cases) expect(formatG(x, p), `${x}`).toBe(want);
  });
});
