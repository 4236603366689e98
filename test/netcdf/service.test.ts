/**
 * netcdf-subset in the bundled service (dist/, CommonJS, h5wasm's WebAssembly inside the bundle,
 * run in a piscina worker thread), over the OGC API: outputs become links, the archive is a zip,
 * and a dismissal stops a running job.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS script without types
import { makeIsimipLike, makeTestFixtures } from '../../scripts/make-netcdf-fixtures.mjs';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';

let svc: RunningService;

beforeAll(async () => {
  svc = await startService({ SUBSETD_WORKERS: '2' });
  makeTestFixtures(join(svc.stateDir, 'data'));
  makeIsimipLike({ file: join(svc.stateDir, 'data', 'long_global_daily_2001_2001.nc'), nt: 200 });
}, 120_000);
afterAll(async () => {
  await svc?.stop();
  svc?.cleanup();
});

describe('netcdf-subset in the service', () => {
  it('runs a NetCDF-4 and a NetCDF-3 file and links every output and the zip', async () => {
    const inputs = { paths: ['tas_small_global_daily_2001_2001.nc', 'tas_nc3_global_daily_2001_2001.nc'], operations: [{ operation: 'mask_country', country: 'deu' }] };
    const r = await svc.json('/processes/netcdf-subset/execution', post({ inputs }, ASYNC));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const done = await waitForJob(svc, r.body.jobID);
    expect(done.status, done.message).toBe('successful');
    const res = await svc.json(`/jobs/${r.body.jobID}/results`);
    expect(res.body.files.map((f: { href: string }) => f.href.split('/').pop())).toEqual(['tas_nc3_deu_daily_2001_2001.nc', 'tas_small_deu_daily_2001_2001.nc']);
    const zip = await fetch(res.body.archive.href);
    expect(zip.status).toBe(200);
    const file = join(svc.stateDir, 'tmp.zip');
    (await import('node:fs')).writeFileSync(file, Buffer.from(await zip.arrayBuffer()));
    expect(execFileSync('unzip', ['-l', file]).toString()).toContain('README.txt');
  });

  it('answers 400 naming the input for a path outside the data root', async () => {
    const r = await svc.json('/processes/netcdf-subset/execution', post({ inputs: { paths: ['../x.nc'], operations: [{ operation: 'mask_landonly' }] } }, ASYNC));
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('paths.0');
  });

  it('stops a running job within a second of DELETE', async () => {
    const inputs = { paths: ['long_global_daily_2001_2001.nc'], operations: [{ operation: 'mask_country', country: 'BRA' }] };
    const r = await svc.json('/processes/netcdf-subset/execution', post({ inputs }, ASYNC));
    await waitForJob(svc, r.body.jobID, ['running', 'successful']);
    const t0 = Date.now();
    await svc.json(`/jobs/${r.body.jobID}`, { method: 'DELETE' });
    const end = await waitForJob(svc, r.body.jobID, ['dismissed', 'successful', 'failed'], 5000);
    expect(end.status).toBe('dismissed');
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
