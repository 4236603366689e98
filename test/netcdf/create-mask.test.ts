/**
 * create_mask in netcdf-subset: once per job, on the first input's own grid, one int8 variable per
 * feature (1 where the cell centre is inside, -128 elsewhere) with the feature's properties; a
 * later mask_mask reads it; alone it makes a job whose outputs are the mask and the shape.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../processors/netcdf/io/open-source.js';
import { InputError } from '../../src/processes/types.js';
import { makeDataRoot, proc, runJob, sh } from './helpers.js';

let root: string;
let tmp: string;
let files: Record<'nc4' | 'nc3' | 'packed4d', string>;
let uploads: string;

type Box = [number, number, number, number];
/** Two rectangles (edges between cell centres on 0.5° and 1° grids), with properties of every kind. */
const A: Box = [5.2, 47.3, 8.1, 49.6];
const B: Box = [10.1, 50.2, 12.4, 51.9];
const rect = ([w, s, e, n]: Box) => ({ type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] });
const SHAPE = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', properties: { NAME: 'Alpha', Code: 7, Share: 0.25, flag: true, nothing: null }, geometry: rect(A) },
    { type: 'Feature', properties: { name: 'Beta', id: 2 }, geometry: rect(B) },
  ],
};

/** Cell indices (row-major) whose centre lies inside the box: the expectation, computed here. */
function inside(lat: ArrayLike<number>, lon: ArrayLike<number>, [w, s, e, n]: Box): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < lat.length; i++)
    for (let j = 0; j < lon.length; j++) {
      const x = lon[j] > 180 ? lon[j] - 360 : lon[j];
      if (x > w && x < e && lat[i] > s && lat[i] < n) out.add(i * lon.length + j);
    }
  return out;
}

async function readNc(path: string) {
  const src = await openSource(path);
  try {
    const plane = async (name: string) => Array.from(await src.readPlane(name, 0, 0, src.dims.find((d) => d.name === 'lat')!.size));
    return { src, lat: src.readAll('lat'), lon: src.readAll('lon'), m0: await plane('m_0'), m1: await plane('m_1') };
  } finally {
    src.close();
  }
}

beforeAll(() => {
  ({ root, files, tmp } = makeDataRoot());
  uploads = mkdtempSync(join(tmpdir(), 'subsetd-nc-cm-'));
  writeFileSync(join(uploads, 'shape.geojson'), JSON.stringify(SHAPE));
});

describe('create_mask alone', () => {
  it('outputs the mask on the first input grid and the shape, no per-file outputs', async () => {
    const r = await runJob(root, { paths: [files.nc4, files.nc3], operations: [{ operation: 'create_mask', file: 'shape.geojson', mask: 'pm.nc' }] }, { uploadDir: uploads });
    expect(r.outputs.files.map((f) => f.file)).toEqual(['pm.nc', 'shape.geojson']);
    expect(r.outputs.errors).toBeUndefined();
    expect(readFileSync(r.path('shape.geojson'), 'utf8')).toBe(JSON.stringify(SHAPE));
    const m = await readNc(r.path('pm.nc'));
    expect(m.src.dims.map((d) => `${d.name}=${d.size}`)).toEqual(['lon=720', 'lat=360']);
    const v = (name: string) => m.src.vars.find((x) => x.name === name)!;
    expect(v('m_0')).toMatchObject({ type: 'byte', dims: ['lat', 'lon'] });
    // Keys lowercased; the boolean and the null left out, as isimip-files-api does.
    expect([...v('m_0').attrs].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: '_FillValue', type: 'byte', value: [-128] },
      { name: 'code', type: 'int', value: [7] },
      { name: 'name', type: 'char', value: 'Alpha' },
      { name: 'share', type: 'double', value: [0.25] },
    ]);
    for (const [plane, box] of [[m.m0, A], [m.m1, B]] as const) {
      const want = inside(m.lat, m.lon, box);
      expect(want.size).toBeGreaterThan(10);
      expect(plane.every((x, k) => x === (want.has(k) ? 1 : -128))).toBe(true);
    }
    const header = sh('ncdump', ['-h', r.path('pm.nc')]);
    expect(header).toContain('double lon(lon) ;');
    expect(header).toContain('lat:units = "degrees_north" ;');
    expect(header).toContain('m_1:name = "Beta" ;');
  });

  it("follows another grid's own coordinates (1°, ascending latitudes, 0..360)", async () => {
    const r = await runJob(root, { paths: [files.nc3], operations: [{ operation: 'create_mask', file: 'shape.geojson', mask: 'pm.nc' }] }, { uploadDir: uploads });
    const m = await readNc(r.path('pm.nc'));
    expect([m.lat[0], m.lat[179], m.lon[0], m.lon[359]]).toEqual([-89.5, 89.5, 0.5, 359.5]);
    const want = inside(m.lat, m.lon, B);
    expect(want.size).toBe(4);
    expect(m.m1.every((x, k) => x === (want.has(k) ? 1 : -128))).toBe(true);
  });

  it('reads a zipped shapefile, properties from its dbf', async () => {
    // dbf field names are case-insensitive: one spelling of `name` here.
    const gj = join(tmp, 'two.geojson');
    writeFileSync(gj, JSON.stringify({ ...SHAPE, features: SHAPE.features.map((f, i) => ({ ...f, properties: { NAME: ['Alpha', 'Beta'][i], pop: i } })) }));
    execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', join(tmp, 'two_shp'), gj, '-nln', 'two']);
    execFileSync('zip', ['-j', '-q', join(uploads, 'two.zip'), ...['shp', 'shx', 'dbf', 'prj'].map((e) => join(tmp, 'two_shp', `two.${e}`))]);
    const r = await runJob(root, { paths: [files.nc4], operations: [{ operation: 'create_mask', file: 'two.zip', mask: 'two.nc' }] }, { uploadDir: uploads });
    expect(r.outputs.files.map((f) => f.file)).toEqual(['two.nc', 'two.zip']);
    const m = await readNc(r.path('two.nc'));
    expect(m.src.vars.find((x) => x.name === 'm_1')!.attrs).toEqual(expect.arrayContaining([{ name: 'name', type: 'char', value: 'Beta' }, { name: 'pop', type: 'int', value: [1] }]));
    expect(m.m0.filter((x) => x === 1)).toHaveLength(inside(m.lat, m.lon, A).size);
  });
});

describe('create_mask + mask_mask', () => {
  it('masks with the feature `var` names; files on another grid fail on their own', async () => {
    const run = (v: string) =>
      runJob(root, { paths: [files.nc4, files.nc3], operations: [{ operation: 'create_mask', file: 'shape.geojson', mask: 'pm.nc' }, { operation: 'mask_mask', mask: 'pm.nc', var: v }] }, { uploadDir: uploads });
    const [r0, r1] = [await run('m_0'), await run('m_1')];
    // The mask is made on the first input's grid: the 1° file does not match it.
    expect(JSON.parse(readFileSync(r1.path('errors.json'), 'utf8'))).toEqual({ [files.nc3]: expect.stringMatching(/grid does not match/) });
    expect(r1.outputs.files.map((f) => f.file)).toEqual(['pm.nc', 'shape.geojson', 'tas_small_masked_daily_2001_2001.nc']);
    const input = await openSource(join(root, files.nc4));
    const src = input.readAll('lat');
    const lon = input.readAll('lon');
    const plane = Array.from(await input.readPlane('tas', 0, 0, src.length));
    input.close();
    for (const [r, box] of [[r0, A], [r1, B]] as const) {
      const out = await openSource(r.path('tas_small_masked_daily_2001_2001.nc'));
      const fill = Math.fround(out.vars.find((x) => x.name === 'tas')!.attrs.find((a) => a.name === '_FillValue')!.value[0] as number);
      const got = Array.from(await out.readPlane('tas', 0, 0, src.length));
      out.close();
      const want = inside(src, lon, box);
      expect(got.every((x, k) => x === (want.has(k) ? plane[k] : fill))).toBe(true);
    }
  });
});

describe('validate', () => {
  const rejects = async (operations: unknown[], input: string, message: RegExp) => {
    const err = await Promise.resolve(proc.validate!({ paths: [files.nc4], operations }, { dataRoot: root, uploadDir: uploads })).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).input).toBe(input);
    expect((err as Error).message).toMatch(message);
  };
  const cm = { operation: 'create_mask', file: 'shape.geojson', mask: 'pm.nc' };
  it('accepts a mask_mask on an earlier create_mask without an upload of that name', async () => {
    await proc.validate!({ paths: [files.nc4], operations: [cm, { operation: 'mask_mask', mask: 'pm.nc' }] }, { dataRoot: root, uploadDir: uploads });
  });
  it('refuses a mask_mask naming neither an upload nor an earlier create_mask', () => rejects([cm, { operation: 'mask_mask', mask: 'other.nc' }], 'operations.1.mask', /not uploaded/));
  it('refuses a mask_mask before the create_mask of its name', () => rejects([{ operation: 'mask_mask', mask: 'pm.nc' }, cm], 'operations.0.mask', /not uploaded/));
  it('refuses a missing shape', () => rejects([{ ...cm, file: 'nope.geojson' }], 'operations.0.file', /not uploaded/));
  it('refuses flags on create_mask', () => rejects([{ ...cm, compute_mean: true }], 'operations.0', /per-file operation/));
  it('refuses the same mask twice', () => rejects([cm, { ...cm, file: 'two.zip' }], 'operations.1.mask', /already/));
  it("refuses the job's own names", () => rejects([{ ...cm, mask: 'README.txt' }], 'operations.0.mask', /own files/));
  it('allows flags on the last per-file operation before a create_mask', async () => {
    await proc.validate!({ paths: [files.nc4], operations: [{ operation: 'mask_landonly', compute_mean: true }, cm] }, { dataRoot: root, uploadDir: uploads });
  });
});
