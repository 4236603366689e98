/**
 * The plain-JS NetCDF-4 metadata reader (what the API thread validates with) against h5wasm,
 * which reads anything HDF5 can: on netCDF-C files, cdo and ncks outputs and our own outputs,
 * both must give the same dimensions, variables, attributes and coordinate values.
 */
import { closeSync, copyFileSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { RawFile } from '../../processors/netcdf/hdf5/chunk-index.js';
import { Unsupported } from '../../processors/netcdf/hdf5/datatype.js';
import { readRoot } from '../../processors/netcdf/hdf5/objects.js';
import { H5wasmFile } from '../../processors/netcdf/io/nc4-h5wasm.js';
import { netcdfModel, type DatasetInfo } from '../../processors/netcdf/io/nc4-model.js';
import { Nc4Source } from '../../processors/netcdf/io/nc4-source.js';
import { PlainNc4 } from '../../processors/netcdf/io/nc4-plain.js';
import { makeDataRoot, runJob, sh } from './helpers.js';

let root: string;
let tmp: string;
const files: Record<string, string> = {};

beforeAll(async () => {
  const d = makeDataRoot();
  root = d.root;
  tmp = d.tmp;
  files.netcdfC = join(root, d.files.nc4);
  files.packed4d = join(root, d.files.packed4d);
  files.cdo = join(tmp, 'cdo.nc');
  sh('cdo', ['-s', '-f', 'nc4c', '-z', 'zip_5', 'sellonlatbox,0,20,40,60', files.netcdfC, files.cdo]);
  files.ncks = join(tmp, 'ncks.nc');
  sh('ncks', ['-O', '-h', '-4', '-d', 'lat,40.0,60.0', files.netcdfC, files.ncks]);
  // netCDF-4 (not classic) from nccopy: NC_STRING attribute (variable-length string in the global heap)
  const cdl = join(tmp, 'vstr.cdl');
  writeFileSync(cdl, 'netcdf vstr { dimensions: lat = 3 ; lon = 4 ; variables: double lat(lat) ; lat:units = "degrees_north" ; double lon(lon) ; lon:units = "degrees_east" ; float v(lat, lon) ; string v:note = "variable-length" ; int v:flags = 1, 2, 3 ; // global attributes:\n string :title = "vlen title" ; data: lat = 10, 20, 30 ; lon = 1, 2, 3, 4 ; v = 1,2,3,4,5,6,7,8,9,10,11,12 ; }\n');
  files.vstr = join(tmp, 'vstr.nc');
  sh('ncgen', ['-k', 'nc4', '-o', files.vstr, cdl]);
  // More than 8 variables: netCDF-C's groups then keep their links in a fractal heap (dense storage).
  const many = Array.from({ length: 12 }, (_, i) => `float v${i}(lat, lon) ; v${i}:units = "K" ;`).join(' ');
  writeFileSync(join(tmp, 'many.cdl'), `netcdf many { dimensions: lat = 2 ; lon = 3 ; variables: double lat(lat) ; double lon(lon) ; ${many} data: lat = -45, 45 ; lon = 0, 120, 240 ; }\n`);
  files.manyVars = join(tmp, 'many.nc');
  sh('ncgen', ['-k', 'nc7', '-o', files.manyVars, join(tmp, 'many.cdl')]);
  const job = await runJob(root, { paths: [d.files.nc4], operations: [{ operation: 'mask_country', country: 'FRA' }] });
  files.ours = job.files[0];
}, 120_000);

describe('plain-JS NetCDF-4 reader', () => {
  for (const name of ['netcdfC', 'packed4d', 'cdo', 'ncks', 'vstr', 'manyVars', 'ours']) {
    it(`reads ${name} as h5wasm does`, async () => {
      const raw = new RawFile(openSync(files[name], 'r'));
      const plain = new PlainNc4(raw);
      const h5 = await H5wasmFile.open(files[name]);
      const ref = await h5.describe();
      try {
        // h5wasm lists attributes and links by name; the plain reader in creation order (as ncdump).
        const byName = <T extends { name: string }>(ds: T[]) => [...ds].sort((a, b) => a.name.localeCompare(b.name));
        const norm = (ds: DatasetInfo[]) => byName(ds).map((d) => ({ ...d, attrs: byName(d.attrs) }));
        expect(byName(plain.globalAttrs)).toEqual(byName(ref.globalAttrs));
        expect(norm(plain.datasets)).toEqual(norm(ref.datasets));
        const model = netcdfModel(plain.datasets);
        expect(model.vars.length).toBeGreaterThan(0);
        for (const v of model.vars.filter((x) => x.shape.length <= 1)) expect(Array.from(plain.readAll(v.name))).toEqual(Array.from(h5.readAll(v.name)));
      } finally {
        h5.close();
      }
    });
  }

  it('a file netCDF-C wrote opens without h5wasm', async () => {
    const s = await Nc4Source.open(files.netcdfC);
    expect(s.reader).toBe('plain');
    expect(s.vars.map((v) => v.name)).toEqual(['time', 'lat', 'lon', 'tas']);
    s.close();
    const m = await Nc4Source.open(files.manyVars);
    expect(m.reader).toBe('plain');
    expect(m.vars.map((v) => v.name)).toEqual(['lat', 'lon', ...Array.from({ length: 12 }, (_, i) => `v${i}`)]);
    m.close();
  });

  it('a structure it does not know is Unsupported, and the source falls back to h5wasm', async () => {
    // The superblock's "size of offsets" set to 4: a legal HDF5 file this reader refuses.
    const f = join(tmp, 'offsets4.nc');
    copyFileSync(files.netcdfC, f);
    const b = readFileSync(f);
    expect(() => readRoot(new RawFile(openSync(files.netcdfC, 'r')))).not.toThrow();
    const fake = Buffer.from(b);
    fake[b[8] >= 2 ? 9 : 13] = 4;
    writeFileSync(join(tmp, 'fake.nc'), fake);
    expect(() => readRoot(new RawFile(openSync(join(tmp, 'fake.nc'), 'r')))).toThrow(Unsupported);
    await expect(Nc4Source.open(join(tmp, 'fake.nc'))).rejects.toThrow(); // h5wasm cannot read the fake either
  });
});

describe('plain-JS reader on damaged metadata', () => {
  // Deterministic pseudo-random damage (a fixed LCG), so a failure can be replayed.
  let seed = 20261201;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };

  it('300 files with bytes flipped in their metadata each open or fail with an Error, never hang or crash', async () => {
    const good = readFileSync(files.netcdfC);
    const f = join(tmp, 'flipped.nc');
    // The metadata of a netCDF-C file sits in its first few KB and after the data (attributes
    // written at close); the chunks in between are covered by robustness.test.ts.
    const head = 4096;
    const tail = 4096;
    let opened = 0;
    let failed = 0;
    for (let i = 0; i < 300; i++) {
      const b = Buffer.from(good);
      for (let k = 0, n = 1 + rand(4); k < n; k++) {
        const pos = rand(2) ? rand(head) : b.length - 1 - rand(tail);
        b[pos] ^= 1 << rand(8);
      }
      writeFileSync(f, b);
      const fd = openSync(f, 'r');
      try {
        const p = new PlainNc4(new RawFile(fd));
        for (const d of p.datasets) if (d.shape.length <= 1) p.readAll(d.name);
        opened++;
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        failed++;
      } finally {
        closeSync(fd);
      }
    }
    expect(opened + failed).toBe(300);
    expect(failed).toBeGreaterThan(0);
  }, 60_000);
});
