// GET /data and GET /data/info against a real service: listings (order, formats, hidden files,
// symlinks), NetCDF metadata through netcdf-subset's reader, every way of naming something outside
// the data root refused with a problem naming `path`, and a folder of 1,000 files (latency printed).
import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS script without types
import { makeTestFixtures } from '../../scripts/make-netcdf-fixtures.mjs';
import { startServiceWithData, type RunningService } from '../helpers/service.js';

let svc: RunningService;
let data: string;
let outside: string;

beforeAll(async () => {
  ({ svc, data } = await startServiceWithData({ SUBSETD_WORKERS: '0' }));
  outside = join(svc.stateDir, 'outside');
  mkdirSync(join(outside, 'deep'), { recursive: true });
  writeFileSync(join(outside, 'secret.nc'), 'CDF\x01 secret');
  makeTestFixtures(join(data, 'nc'));
  mkdirSync(join(data, 'many'));
  for (let i = 0; i < 1000; i++) writeFileSync(join(data, 'many', `f${String(i).padStart(4, '0')}.tif`), 'x');
  mkdirSync(join(data, 'empty'));
  writeFileSync(join(data, 'readme.txt'), 'hello');
  writeFileSync(join(data, '.partial.nc'), 'copying');
  writeFileSync(join(data, 'not-netcdf.nc'), 'CDF\x01 this is no NetCDF at all');
  symlinkSync(outside, join(data, 'link-out'));
  symlinkSync(join(outside, 'secret.nc'), join(data, 'file-out.nc'));
  symlinkSync(join(data, 'nc'), join(data, 'link-in'));
  symlinkSync(join(data, 'missing-target'), join(data, 'dangling'));
  utimesSync(join(data, 'readme.txt'), new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
}, 60_000);

afterAll(() => svc?.cleanup());

const q = (p: string) => encodeURIComponent(p);

describe('GET /data', () => {
  it('lists the root: folders first, then files, with size, time and a format from the name', async () => {
    const { status, body } = await svc.json('/data');
    expect(status).toBe(200);
    expect(body.path).toBe('');
    const names = body.entries.map((e: { name: string }) => e.name);
    // Hidden files and links leading out (or nowhere) are not shown; a link inside is.
    expect(names).toEqual(['empty', 'link-in', 'many', 'nc', 'not-netcdf.nc', 'readme.txt']);
    const readme = body.entries.find((e: { name: string }) => e.name === 'readme.txt');
    expect(readme).toEqual({ name: 'readme.txt', path: 'readme.txt', type: 'file', size: 5, modified: '2020-01-02T03:04:05.000Z' });
    expect(body.entries.find((e: { name: string }) => e.name === 'nc')).toMatchObject({ type: 'dir', path: 'nc' });
    expect(body.entries.find((e: { name: string }) => e.name === 'not-netcdf.nc').format).toBe('netcdf');
  });

  it('lists a sub-folder (also through a link inside the root), paths usable as job inputs', async () => {
    for (const dir of ['nc', 'nc/', 'link-in']) {
      const { status, body } = await svc.json(`/data?path=${q(dir)}`);
      expect(status, dir).toBe(200);
      expect(body.entries.map((e: { path: string }) => e.path), dir).toContain(`${dir.replace(/\/$/, '')}/tas_small_global_daily_2001_2001.nc`);
      expect(body.links.find((l: { rel: string }) => l.rel === 'up').href).toBe(`${svc.url}/data?path=`);
    }
    expect((await svc.json('/data?path=empty')).body.entries).toEqual([]);
  });

  it('a folder of 1,000 files lists completely (stat only)', async () => {
    const times: number[] = [];
    let body;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const res = await fetch(`${svc.url}/data?path=many`);
      body = await res.json();
      times.push(performance.now() - t0);
    }
    expect(body.entries).toHaveLength(1000);
    expect(body.entries[0]).toMatchObject({ name: 'f0000.tif', type: 'file', size: 1, format: 'geotiff' });
    expect(body.entries[999].name).toBe('f0999.tif');
    times.sort((a, b) => a - b);
    console.log(`GET /data with 1,000 files: median ${times[2].toFixed(1)} ms, first ${times[0].toFixed(1)}..${times[4].toFixed(1)} ms (5 requests)`);
  });

  it('refuses everything outside the data root with a problem naming path', async () => {
    const cases: Array<[string, number]> = [
      ['..', 400],
      ['../outside', 400],
      ['nc/../..', 400],
      ['nc/../../outside', 400],
      ['/etc', 400],
      [svc.stateDir, 400],
      ['..\\outside', 400],
      ['nc\\..\\..', 400],
      ['nc\0', 400],
      ['link-out', 400],
      ['link-out/deep', 400],
      ['file-out.nc', 400],
      ['dangling', 400],
      ['C:\\Windows', 400],
      ['no-such-folder', 404],
      ['%2e%2e', 404], // a name with a literal "%2e%2e": nothing by that name
      ['readme.txt', 400], // a file is not a folder
    ];
    for (const [p, status] of cases) {
      const res = await svc.json(`/data?path=${q(p)}`);
      expect(res.status, p).toBe(status);
      expect(res.headers.get('content-type'), p).toBe('application/problem+json');
      expect(res.body.field, p).toBe('path');
      expect(JSON.stringify(res.body), p).not.toContain('secret');
      expect(res.body.detail, p).not.toContain(outside);
    }
    // Encoded on the wire: decoded once, then refused like the plain forms.
    for (const raw of ['%2E%2E', '%2e%2e%2foutside', '..%2F..%2Fetc', '%2Fetc', 'nc%00']) {
      const res = await svc.json(`/data?path=${raw}`);
      expect(res.status, raw).toBe(400);
      expect(res.body.field, raw).toBe('path');
    }
    const twice = await svc.json('/data?path=a&path=b');
    expect(twice.status).toBe(400);
    expect(twice.body.field).toBe('path');
  });
});

describe('GET /data/info', () => {
  it('describes a NetCDF-4 file with the processors reader: variables, grid, time', async () => {
    const { status, body } = await svc.json(`/data/info?path=${q('nc/tas_small_global_daily_2001_2001.nc')}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ path: 'nc/tas_small_global_daily_2001_2001.nc', format: 'netcdf', kind: 'NetCDF-4', dimensions: { time: 5, lat: 360, lon: 720 }, unlimited: ['time'] });
    expect(body.variables.find((v: { name: string }) => v.name === 'tas')).toMatchObject({ dims: ['time', 'lat', 'lon'], shape: [5, 360, 720], units: 'K', long_name: 'Near-Surface Air Temperature', onGrid: true });
    expect(body.grid).toEqual({ west: -180, east: 180, south: -90, north: 90, dlon: 0.5, dlat: 0.5, nlon: 720, nlat: 360, latOrder: 'descending', lon0360: false });
    expect(body.time).toEqual({ start: '2001-01-01', end: '2001-01-05', steps: 5, units: 'days since 1601-1-1 00:00:00', calendar: 'proleptic_gregorian' });
  });

  it('describes NetCDF-3 and a 4-D packed file', async () => {
    const nc3 = (await svc.json(`/data/info?path=${q('nc/tas_nc3_global_daily_2001_2001.nc')}`)).body;
    expect(nc3).toMatchObject({ format: 'netcdf', kind: 'NetCDF-3' });
    expect(nc3.grid.nlon).toBeGreaterThan(0);
    const packed = (await svc.json(`/data/info?path=${q('nc/tas_packed4d_global_daily_2001_2001.nc')}`)).body;
    expect(packed.variables.find((v: { name: string }) => v.name === 'tas').dims).toHaveLength(4);
  });

  it('answers a changed file anew (cache keyed by the file, not the path)', async () => {
    const path = 'nc/tas_small_global_daily_2001_2001.nc';
    const first = (await svc.json(`/data/info?path=${q(path)}`)).body;
    makeTestFixtures(join(data, 'nc2'));
    const { execFileSync } = await import('node:child_process');
    execFileSync('cp', [join(data, 'nc2/tas_nc3_global_daily_2001_2001.nc'), join(data, path)]);
    const second = (await svc.json(`/data/info?path=${q(path)}`)).body;
    expect(first.kind).toBe('NetCDF-4');
    expect(second.kind).toBe('NetCDF-3');
    execFileSync('cp', [join(data, 'nc2/tas_small_global_daily_2001_2001.nc'), join(data, path)]);
  });

  it('refuses folders, unreadable files and paths outside, naming path, without server paths', async () => {
    const cases: Array<[string, number]> = [
      ['', 400],
      ['nc', 400],
      ['not-netcdf.nc', 400],
      ['readme.txt', 400],
      ['file-out.nc', 400],
      ['../outside/secret.nc', 400],
      ['link-out/secret.nc', 400],
      ['nope.nc', 404],
    ];
    for (const [p, status] of cases) {
      const res = await svc.json(`/data/info?path=${q(p)}`);
      expect(res.status, p).toBe(status);
      expect(res.body.field, p).toBe('path');
      expect(res.body.detail, p).not.toContain(svc.stateDir);
    }
  });
});
