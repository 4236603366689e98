/**
 * The NetCDF writer (processors/netcdf/io/nc4-writer.ts, hdf5/patch.ts) on the shapes its chunk
 * index must get right, read back by netCDF-C (ncdump) and by our own reader: small planes
 * several time steps to a chunk with a partial last chunk, planes arriving out of order, and a
 * time dimension without records.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Nc4Writer, type OutSpec } from '../../processors/netcdf/io/nc4-writer.js';
import { openSource } from '../../processors/netcdf/io/open-source.js';
import { sh } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'subsetd-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function spec(nt: number, nlat: number, nlon: number): OutSpec {
  return {
    dims: [
      { name: 'time', size: nt, unlimited: true },
      { name: 'lat', size: nlat, unlimited: false },
      { name: 'lon', size: nlon, unlimited: false },
    ],
    vars: [
      { name: 'time', dims: ['time'], type: 'double', attrs: [{ name: 'units', type: 'char', value: 'days since 2001-1-1' }], data: Float64Array.from({ length: nt }, (_, i) => i) },
      { name: 'lat', dims: ['lat'], type: 'double', attrs: [], data: Float64Array.from({ length: nlat }, (_, i) => i) },
      { name: 'lon', dims: ['lon'], type: 'double', attrs: [], data: Float64Array.from({ length: nlon }, (_, i) => i) },
      { name: 'v', dims: ['time', 'lat', 'lon'], type: 'float', attrs: [{ name: '_FillValue', type: 'float', value: [1e20] }] },
    ],
    globalAttrs: [],
  };
}

const value = (t: number, k: number) => t * 10 + k + 0.25;

describe('Nc4Writer', () => {
  it('small planes go several steps to a chunk, the last partial, in any order; netCDF-C and our reader read every value back', async () => {
    // 2 × 3 floats = 24 bytes a plane: 2 730 steps a 64 KiB chunk, so 5 000 steps = 2 730 + 2 270.
    const nt = 5000;
    const file = join(dir, 'small.nc');
    const w = await Nc4Writer.create(file, spec(nt, 2, 3));
    const order = Array.from({ length: nt }, (_, t) => t).reverse();
    for (const t of order) await w.putPlane('v', t, Float32Array.from({ length: 6 }, (_, k) => value(t, k)));
    w.finish();
    expect(sh('ncdump', ['-hs', file])).toMatch(/v:_ChunkSizes = 2730, 2, 3 ;/);
    const dumped = sh('ncdump', ['-v', 'v', '-p', '9', file]);
    const nums = dumped.slice(dumped.indexOf('v =') + 3, dumped.lastIndexOf(';')).split(/[,\s]+/).filter(Boolean).map(Number);
    expect(nums).toHaveLength(nt * 6);
    expect(nums.every((x, i) => x === value(Math.floor(i / 6), i % 6))).toBe(true);
    const src = await openSource(file);
    try {
      for (const t of [0, 2729, 2730, 4999]) expect(Array.from(await src.readPlane('v', t, 0, 2))).toEqual(Array.from({ length: 6 }, (_, k) => value(t, k)));
    } finally {
      src.close();
    }
  });

  it('a plane that never came fails the file, which is not left behind', async () => {
    const file = join(dir, 'missing.nc');
    const w = await Nc4Writer.create(file, spec(3, 2, 3));
    await w.putPlane('v', 0, new Float32Array(6));
    await w.putPlane('v', 2, new Float32Array(6));
    expect(() => w.finish()).toThrow(/never written/);
    w.abort();
    expect(() => sh('ncdump', ['-h', file])).toThrow();
  });

  it('a time dimension without records: an empty variable netCDF-C reads', async () => {
    const file = join(dir, 'empty.nc');
    const w = await Nc4Writer.create(file, spec(0, 2, 3));
    w.finish();
    expect(sh('ncdump', ['-h', file])).toMatch(/time = UNLIMITED ; \/\/ \(0 currently\)/);
  });
});
