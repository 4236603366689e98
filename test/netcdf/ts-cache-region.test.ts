/**
 * Region operations from the time-series cache (processors/netcdf/ts-cache/region-hook.ts),
 * through the bundled service: each request runs on a fresh copy of an input with no entry (the
 * file is read), then the entry is built, the job dismissed and the same request run again. The
 * second run's job log says the cache answered, and its output is the first one's: CSV text
 * equal, NetCDF compared variable by variable (dimensions, types, attributes, every plane's
 * bytes; the history attribute aside, it carries the time of the run). Every region operation
 * (select_bbox, mask_bbox, cutout_bbox, mask_country, mask_polygon, mask_mask, compute_mean to
 * NetCDF and CSV, region CSV) on every layout the processor reads (NetCDF-4 and -3, packed
 * shorts, 0..360 longitudes, ascending and descending latitude, (time, depth, lat, lon)).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipFiles } from '../helpers/zip.js';
import { SETTINGS } from '../../src/config/table.js';
import { openSource } from '../../processors/netcdf/io/open-source.js';
import { buildCache, listEntries } from '../../processors/netcdf/ts-cache/index.js';
import { MAX_REGION_BYTES, MAX_REGION_DECODE, regionCacheRule } from '../../processors/netcdf/ts-cache/region-hook.js';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { makeTsFixtures, type Layout } from './ts-cache-helpers.js';

let svc: RunningService;
let root: string;
let files: Record<Layout, string>;
let dir: string;

beforeAll(async () => {
  // No background builds (SUBSETD_TS_CACHE=auto, where that setting exists): an entry rebuilt
  // behind the test's back would reset its hit count between the runs compared.
  const modes = Object.values(SETTINGS).some((x) => (x as { key?: string }).key === 'SUBSETD_TS_CACHE');
  svc = await startService({ SUBSETD_WORKERS: '1', ...(modes ? { SUBSETD_TS_CACHE: 'manual' } : {}) });
  root = join(svc.stateDir, 'data');
  files = makeTsFixtures(root);
  dir = join(svc.stateDir, 'ts-cache');
}, 120_000);
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
});

/** A NetCDF output as comparable data: every variable's dims, type, attributes and bytes. */
async function readNc(b: Buffer, name: string) {
  const f = join(svc.stateDir, name);
  writeFileSync(f, b);
  const o = await openSource(f);
  try {
    const sha = (a: { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) => createHash('sha1').update(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('hex');
    const vars = [];
    for (const v of o.vars) {
      const n = v.shape.length >= 2 ? v.shape.slice(0, -2).reduce((a, x) => a * x, 1) : 0;
      const planes = [];
      for (let p = 0; p < n; p++) planes.push(sha(await o.readPlane(v.name, p, 0, v.shape[v.shape.length - 2])));
      vars.push({ name: v.name, type: v.type, dims: v.dims, shape: v.shape, attrs: v.attrs, data: n ? planes : sha(o.readAll(v.name)) });
    }
    return { format: o.format, dims: o.dims, global: o.globalAttrs.filter((a) => a.name !== 'history'), vars };
  } finally {
    o.close();
  }
}

/** Runs netcdf-subset (OGC); returns its one output's bytes and the job's log; then dismisses the job. */
async function runOgc(path: string, op: Record<string, unknown>): Promise<{ bytes: Buffer; log: string; name: string }> {
  const r = await svc.json('/processes/netcdf-subset/execution', post({ inputs: { paths: [path], operations: [op] } }, ASYNC));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const done = await waitForJob(svc, r.body.jobID, undefined, 60_000);
  expect(done.status, done.message).toBe('successful');
  const res = await svc.json(`/jobs/${r.body.jobID}/results`);
  expect(res.body.files).toHaveLength(1);
  const bytes = Buffer.from(await (await fetch(res.body.files[0].href)).arrayBuffer());
  const log = JSON.stringify((await svc.json(`/jobs/${r.body.jobID}/log`)).body);
  await svc.json(`/jobs/${r.body.jobID}`, { method: 'DELETE' }); // the same request runs again
  return { bytes, log, name: String(res.body.files[0].file ?? res.body.files[0].href) };
}

const hits = () => listEntries(dir).reduce((s, e) => s + e.hits, 0);

type Run = (path: string, op: Record<string, unknown>) => Promise<{ bytes: Buffer; log: string; name: string }>;

/** Compares an uncached and a cached run of `op` on a fresh copy of `layout`'s file. */
async function compare(layout: Layout, op: Record<string, unknown>, tag: string, run: Run = runOgc) {
  const copy = files[layout].replace(/\.nc$/, `-copy-${tag}.nc`);
  copyFileSync(join(root, files[layout]), join(root, copy));
  const plain = await run(copy, op);
  expect(plain.log).not.toContain('time-series cache');
  await buildCache(join(root, copy), { dir, durable: false });
  const before = hits();
  const cached = await run(copy, op);
  expect(cached.log, `${layout} ${JSON.stringify(op)}`).toContain('answered from the time-series cache');
  expect(hits()).toBeGreaterThan(before);
  if (plain.name.endsWith('.csv')) {
    expect(cached.name.endsWith('.csv')).toBe(true);
    const text = cached.bytes.toString('utf8');
    expect(text.length).toBeGreaterThan(20);
    expect(text).toBe(plain.bytes.toString('utf8'));
  } else expect(await readNc(cached.bytes, `${tag}-cached.nc`)).toEqual(await readNc(plain.bytes, `${tag}-plain.nc`));
}

const DEU = [5.5, 47, 15.5, 55.5];
const poly = { type: 'Polygon', coordinates: [[[-10, 35], [30, 38], [25, 60], [-5, 55], [-10, 35]]] };
const CSV = { output_csv: true };
const MEAN = { compute_mean: true };

// [layout, operation]: every region operation, NetCDF and CSV outputs, on every layout.
const CASES: Array<[Layout, Record<string, unknown>]> = [
  ['nc4', { operation: 'select_bbox', bbox: DEU }],
  ['nc4', { operation: 'cutout_bbox', bbox: DEU, ...CSV }],
  ['nc4', { operation: 'mask_bbox', bbox: DEU }],
  ['nc4', { operation: 'mask_country', country: 'DEU', ...MEAN, ...CSV }],
  ['nc4', { operation: 'mask_country', country: 'DEU' }],
  ['nc4', { operation: 'mask_polygon', polygon: poly, ...CSV }],
  ['nc4', { operation: 'select_bbox', bbox: [170, -20, -170, 10], ...MEAN }],
  ['nc3', { operation: 'cutout_bbox', bbox: [-20, -10, 40, 30] }],
  ['nc3', { operation: 'mask_country', country: 'FRA', ...CSV }],
  ['nc3', { operation: 'mask_bbox', bbox: DEU, ...MEAN, ...CSV }],
  ['nc3', { operation: 'mask_polygon', polygon: poly, ...MEAN }],
  ['packed360', { operation: 'cutout_bbox', bbox: [170, -30, -150, 20] }],
  ['packed360', { operation: 'select_bbox', bbox: [-30, 20, 40, 70], ...CSV }],
  ['packed360', { operation: 'mask_bbox', bbox: [-30, 20, 40, 70] }],
  ['packed360', { operation: 'mask_country', country: 'DEU', ...MEAN, ...CSV }],
  ['packed360', { operation: 'mask_country', country: 'USA', ...MEAN }],
  ['packed360', { operation: 'mask_polygon', polygon: poly }],
  ['packed4d', { operation: 'select_bbox', bbox: [-30, 20, 40, 70] }],
  ['packed4d', { operation: 'mask_country', country: 'BRA' }],
  ['packed4d', { operation: 'mask_bbox', bbox: DEU, ...MEAN }],
  ['nc3packed4d', { operation: 'cutout_bbox', bbox: [-30, 20, 40, 70] }],
  ['nc3packed4d', { operation: 'mask_polygon', polygon: poly, ...MEAN }],
  ['long', { operation: 'mask_country', country: 'DEU', ...MEAN, ...CSV }],
];

describe('the service answers a region from the cache, byte for byte as without it', () => {
  it.each(CASES.map(([l, op], i) => [l, String(op.operation), i, op] as const))('%s %s (#%i)', async (layout, _name, i, op) => {
    await compare(layout, op, `r${i}`);
  });
});

describe('mask_mask (ISIMIP endpoint, an uploaded mask)', () => {
  /** The input file itself as the mask (cells where its first step is neither 0 nor missing). */
  const runIsimip =
    (maskOf: string): Run =>
    async (path, op) => {
    const f = new FormData();
    f.set('data', new Blob([JSON.stringify({ paths: [path], operations: [op] })], { type: 'application/octet-stream' }));
    f.set('pm.nc', new Blob([new Uint8Array(readFileSync(join(root, maskOf)))]), 'pm.nc');
    const r = await svc.json('/isimip/v2', { method: 'POST', body: f });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    let job;
    for (const t0 = Date.now(); ; await new Promise((res) => setTimeout(res, 100))) {
      job = await (await fetch(r.body.job_url)).json();
      if (!['queued', 'started'].includes(job.status)) break;
      if (Date.now() - t0 > 60_000) throw new Error('job still running');
    }
    expect(job.status).toBe('finished');
    const entries = await zipFiles(Buffer.from(await (await fetch(job.file_url)).arrayBuffer()));
    const [name] = Object.keys(entries).filter((k) => k !== 'README.txt');
    const log = JSON.stringify((await svc.json(`/jobs/${r.body.id}/log`)).body);
    await fetch(r.body.job_url, { method: 'DELETE' });
    return { bytes: entries[name], log, name };
  };

  it.each([
    ['packed360', { ...MEAN, ...CSV }],
    ['packed360', {}],
    ['nc3', CSV],
  ] as Array<[Layout, Record<string, unknown>]>)('%s %j', async (layout, flags) => {
    await compare(layout, { operation: 'mask_mask', mask: 'pm.nc', var: 'tas', ...flags }, `mm-${layout}-${Object.keys(flags).length}`, runIsimip(files[layout]));
  });
});

describe('the rule: the cache answers a region only while it is the cheaper way', () => {
  it('Germany on a 1-year daily 0.5° file: yes; Europe on 10 years, or a continent: no', () => {
    expect(regionCacheRule(4, 188, 365, 4)).toBe(true);
    expect(regionCacheRule(35, 7000, 3650, 4)).toBe(false);
    expect(regionCacheRule(200, 40000, 365, 4)).toBe(false);
    expect(regionCacheRule(0, 0, 365, 4)).toBe(false);
    // The bounds are the decoded blocks and the kept series held in memory.
    expect(regionCacheRule(Math.floor(MAX_REGION_DECODE / (256 * 365 * 4)), 100, 365, 4)).toBe(true);
    expect(regionCacheRule(Math.floor(MAX_REGION_DECODE / (256 * 365 * 4)) + 1, 100, 365, 4)).toBe(false);
    expect(regionCacheRule(1, Math.floor(MAX_REGION_BYTES / (365 * 4)) + 1, 365, 4)).toBe(false);
  });
});
