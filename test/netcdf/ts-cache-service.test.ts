/**
 * The time-series cache against the processor as users reach it: netcdf-subset in the bundled
 * service answers select_point and cutout_point from the cache (its job log says so) with the
 * same bytes as without it; and
 * the cache's series for the same cell, formatted by the point CSV's rule, is the same text; for
 * variables with a leading level dimension (no CSV there) cutout_point's NetCDF holds exactly the
 * cache's stored values, attributes and coordinates. Every layout the processor reads.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSource } from '../../processors/netcdf/io/open-source.js';
import { buildCache, pointSeriesFromCache, realSource, TsCache, entryFile, entryKey } from '../../processors/netcdf/ts-cache/index.js';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { bytesOf, cellOf, makeTsFixtures, pointCsvFrom, type Layout } from './ts-cache-helpers.js';

let svc: RunningService;
let root: string;
let files: Record<Layout, string>;
let dir: string;

beforeAll(async () => {
  svc = await startService({ SUBSETD_WORKERS: '1' });
  root = join(svc.stateDir, 'data');
  files = makeTsFixtures(root);
  dir = join(svc.stateDir, 'ts-cache');
  for (const f of Object.values(files)) await buildCache(join(root, f), { dir, durable: false });
}, 120_000);
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
});

/** Runs netcdf-subset in the service; returns the bytes of its one output file. */
async function run(path: string, op: Record<string, unknown>): Promise<Buffer> {
  const r = await svc.json('/processes/netcdf-subset/execution', post({ inputs: { paths: [path], operations: [op] } }, ASYNC));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const done = await waitForJob(svc, r.body.jobID);
  expect(done.status, done.message).toBe('successful');
  const res = await svc.json(`/jobs/${r.body.jobID}/results`);
  expect(res.body.files).toHaveLength(1);
  return Buffer.from(await (await fetch(res.body.files[0].href)).arrayBuffer());
}

const POINTS: Array<[number, number]> = [
  [13.06, 52.38],
  [-179.9, -89.9],
  [179.9, 89.9],
  [200, -33.3],
  [0, 0],
];

describe('a point series from the cache is what netcdf-subset answers', () => {
  it.each(['nc4', 'nc3', 'packed360', 'long'] as Layout[])('%s: select_point to CSV, the same text', async (layout) => {
    const file = join(root, files[layout]);
    for (const [lon, lat] of POINTS) {
      const csv = (await run(files[layout], { operation: 'select_point', point: { type: 'Point', coordinates: [lon, lat] }, output_csv: true })).toString('utf8');
      const [row, col] = await cellOf(file, lon, lat);
      const series = pointSeriesFromCache(file, 'tas', row, col, dir);
      expect(series, `${layout} ${lon},${lat}`).not.toBeNull();
      expect(await pointCsvFrom(file, 'tas', series!), `${layout} at ${lon},${lat}`).toBe(csv);
    }
  });

  it.each(['packed4d', 'nc3packed4d'] as Layout[])('%s (time, depth, lat, lon): cutout_point NetCDF holds the stored values, attributes and coordinates', async (layout) => {
    const file = join(root, files[layout]);
    for (const [lon, lat] of POINTS) {
      const nc = await run(files[layout], { operation: 'cutout_point', point: { type: 'Point', coordinates: [lon, lat] } });
      const out = join(svc.stateDir, `${layout}-out.nc`);
      writeFileSync(out, nc);
      const [row, col] = await cellOf(file, lon, lat);
      const series = pointSeriesFromCache(file, 'tas', row, col, dir)!;
      const cache = TsCache.open(entryFile(dir, entryKey(realSource(file), 'tas')));
      const o = await openSource(out);
      try {
        const v = o.vars.find((x) => x.name === 'tas')!;
        expect(v.shape).toEqual([...cache.header.variable.shape.slice(0, -2), 1, 1]);
        expect(v.type).toBe(cache.header.variable.type);
        expect(v.attrs).toEqual(cache.header.variable.attrs);
        const got = new Int16Array(series.length);
        for (let p = 0; p < series.length; p++) got[p] = (await o.readPlane('tas', p, 0, 1))[0];
        expect(bytesOf(got)).toEqual(bytesOf(series));
        // The coordinates the output carries for the cell are the cache's.
        const coord = (name: string) => {
          const c = cache.header.coords.find((x) => x.name === name)!;
          const b = Buffer.from(c.data, 'base64');
          return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
        };
        expect(o.readAll('lat')[0]).toBe(coord('lat')[row]);
        expect(o.readAll('lon')[0]).toBe(coord('lon')[col]);
        expect(Array.from(o.readAll('time'))).toEqual(Array.from(coord('time')));
        expect(Array.from(o.readAll('depth'))).toEqual(Array.from(coord('depth')));
      } finally {
        o.close();
        cache.close();
      }
    }
  });
});

describe('the service answers a point from the cache, byte for byte as without it', () => {
  /** Runs, returns the output's bytes and the job's log messages; then dismisses the job. */
  async function runLogged(path: string, op: Record<string, unknown>) {
    const r = await svc.json('/processes/netcdf-subset/execution', post({ inputs: { paths: [path], operations: [op] } }, ASYNC));
    const done = await waitForJob(svc, r.body.jobID);
    expect(done.status, done.message).toBe('successful');
    const res = await svc.json(`/jobs/${r.body.jobID}/results`);
    const bytes = Buffer.from(await (await fetch(res.body.files[0].href)).arrayBuffer());
    const log = (await svc.json(`/jobs/${r.body.jobID}/log`)).body;
    await svc.json(`/jobs/${r.body.jobID}`, { method: 'DELETE' }); // the same request runs again
    return { bytes, log: JSON.stringify(log) };
  }

  it.each([
    ['nc4', 'select_point', true],
    ['packed360', 'select_point', true],
    ['nc3', 'cutout_point', false],
    ['packed4d', 'cutout_point', false],
  ] as Array<[Layout, string, boolean]>)('%s %s', async (layout, operation, csv) => {
    // A copy no entry was built for yet: the first run reads the file itself.
    const copy = files[layout].replace(/\.nc$/, `-copy-${operation}.nc`);
    copyFileSync(join(root, files[layout]), join(root, copy));
    const op = { operation, point: { type: 'Point', coordinates: [13.06, 52.38] }, ...(csv ? { output_csv: true } : {}) };
    const plain = await runLogged(copy, op);
    expect(plain.log).not.toContain('time-series cache');
    await buildCache(join(root, copy), { dir, durable: false });
    const cached = await runLogged(copy, op);
    expect(cached.log).toContain('answered from the time-series cache');
    if (csv) expect(cached.bytes.toString('utf8')).toBe(plain.bytes.toString('utf8'));
    else {
      // NetCDF: the same variables, attributes (history aside: it carries the time of the run),
      // shapes and values.
      const read = async (b: Buffer, name: string) => {
        const f = join(svc.stateDir, name);
        writeFileSync(f, b);
        const o = await openSource(f);
        try {
          const vars = [];
          for (const v of o.vars) {
            const planes = [];
            const n = v.shape.length >= 2 ? v.shape.slice(0, -2).reduce((a, x) => a * x, 1) : 0;
            for (let p = 0; p < n; p++) planes.push(Array.from(await o.readPlane(v.name, p, 0, v.shape[v.shape.length - 2])));
            vars.push({ name: v.name, type: v.type, dims: v.dims, shape: v.shape, attrs: v.attrs, data: n ? planes : Array.from(o.readAll(v.name)) });
          }
          return { dims: o.dims, global: o.globalAttrs.filter((a) => a.name !== 'history'), vars };
        } finally {
          o.close();
        }
      };
      expect(await read(cached.bytes, 'cached.nc')).toEqual(await read(plain.bytes, 'plain.nc'));
    }
  });
});

describe('a point in one round trip (netcdf-subset offers sync-execute)', () => {
  it('POST without Prefer answers the CSV itself, from the cache, and the job stays listed', async () => {
    const inputs = { paths: [files.nc4], operations: [{ operation: 'select_point', point: { type: 'Point', coordinates: [7.5, 47.5] }, output_csv: true }] };
    const res = await fetch(`${svc.url}/processes/netcdf-subset/execution`, post({ inputs, outputs: { files: { transmissionMode: 'value' } }, response: 'raw' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv');
    const csv = await res.text();
    const [row, col] = await cellOf(join(root, files.nc4), 7.5, 47.5);
    expect(csv).toBe(await pointCsvFrom(join(root, files.nc4), 'tas', pointSeriesFromCache(join(root, files.nc4), 'tas', row, col, dir)!));
    const job = /<([^>]+)>; rel="monitor"/.exec(res.headers.get('link')!)![1];
    const id = job.split('/').pop()!;
    expect(JSON.stringify((await svc.json(`/jobs/${id}/log`)).body)).toContain('answered from the time-series cache');
    const listed = (await svc.json('/jobs?processID=netcdf-subset&limit=1000')).body.jobs.map((j: { jobID: string }) => j.jobID);
    expect(listed).toContain(id);
    // The default for several outputs: a results document with links.
    const doc = await svc.json('/processes/netcdf-subset/execution', post({ inputs: { ...inputs, csv_header: false } }));
    expect(doc.status).toBe(200);
    expect(doc.body.files[0].href).toMatch(/\.csv$/);
  });
});
