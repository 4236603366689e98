/**
 * Per-token limits over real HTTP with real tokens (made by `subsetd tokens create`), in SQLite
 * and Redis modes (Redis: the requests alternate between two nodes): 429 with Retry-After and a
 * problem naming the limit and its value; an identical request that joins its own live job is not
 * counted; dismissed jobs still count in the hour. Files per job and upload bytes per request.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataRoot } from '../netcdf/helpers.js';
import { bearer, startAuthCluster, submitInit, type AuthCluster, type Mode } from '../auth/auth-service.js';

const data = makeDataRoot();
for (const f of ['a.nc', 'b.nc']) copyFileSync(join(data.root, data.files.nc4), join(data.root, f));

describe.each<Mode>(['sqlite', 'redis'])('per-token limits over HTTP (%s)', (mode) => {
  let c: AuthCluster;
  let capped: string, free: string;
  beforeAll(async () => {
    c = await startAuthCluster(mode, { SUBSETD_DATA_ROOT: data.root, SUBSETD_MAX_FILES_PER_JOB: '1', SUBSETD_MAX_UPLOAD_BYTES: '4KB' });
    capped = c.token('capped', 'submit', ['--max-queued', '2', '--max-jobs-per-hour', '4']);
    free = c.token('free', 'submit');
  }, 60_000);
  afterAll(async () => c?.close());

  let k = 0;
  const submit = (token: string, inputs: Record<string, unknown> = { seconds: 30, k: k++ }) => {
    const { k: _k, ...rest } = inputs;
    // `k` varies the request without an extra input: the sleep is 30 s plus a few ms.
    const body = _k === undefined ? rest : { ...rest, seconds: 30 + Number(_k) / 1000 };
    return (k % 2 ? c.a : c.b).json('/processes/sleep/execution', submitInit(token, body));
  };

  it('max-queued: the third queued job gets 429 naming the limit; a join is not counted; a dismissal frees a place', async () => {
    const first = await submit(capped, { seconds: 60 });
    expect(first.status).toBe(201);
    expect((await submit(capped)).status).toBe(201);
    const third = await submit(capped);
    expect(third.status).toBe(429);
    expect(third.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(third.body).toMatchObject({ type: 'urn:subsetd:problem:quota-exceeded', title: 'Too many requests', status: 429, limit: 'max-queued', value: 2 });
    // The identical request joins its own live job: 201/200 with the same id, not a 429.
    const again = await submit(capped, { seconds: 60 });
    expect(again.status).toBeLessThan(300);
    expect(again.body.jobID).toBe(first.body.jobID);
    // Another token is not affected.
    expect((await submit(free)).status).toBe(201);
    expect((await c.a.json(`/jobs/${first.body.jobID}`, { ...bearer(capped), method: 'DELETE' })).status).toBe(200);
    expect((await submit(capped)).status).toBe(201);
  });

  it('max-jobs-per-hour: dismissed jobs still count; Retry-After is when the oldest leaves the hour', async () => {
    // 3 counted so far (joins are not); one more fits after a dismissal, then the hour is full.
    const list = await c.a.json('/jobs?status=accepted,running', bearer(capped));
    for (const j of list.body.jobs) await c.a.json(`/jobs/${j.jobID}`, { ...bearer(capped), method: 'DELETE' });
    expect((await submit(capped)).status).toBe(201);
    const over = await submit(capped);
    expect(over.status).toBe(429);
    expect(over.body).toMatchObject({ limit: 'max-jobs-per-hour', value: 4 });
    const retry = Number(over.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(3000);
    expect(retry).toBeLessThanOrEqual(3600);
  });

  it('files per job: a request naming more input files than allowed gets 429', async () => {
    const isimip = (paths: string[]) =>
      c.a.json('/isimip/v2', { ...bearer(free), method: 'POST', headers: { ...bearer(free).headers, 'content-type': 'application/json' }, body: JSON.stringify({ paths, operations: [{ operation: 'mask_landonly' }] }) });
    const two = await isimip(['a.nc', 'b.nc']);
    expect(two.status).toBe(429);
    expect(two.body).toMatchObject({ limit: 'max-files-per-job', value: 1 });
    // The same request stays refused until the limit changes: clients are told to back off an hour.
    expect(two.headers.get('retry-after')).toBe('3600');
    expect((await isimip(['a.nc'])).status).toBe(201);
    const ogc = await c.b.json('/processes/netcdf-subset/execution', submitInit(free, { paths: ['a.nc', 'b.nc'], operations: [{ operation: 'mask_landonly' }] }));
    expect([ogc.status, ogc.body.limit]).toEqual([429, 'max-files-per-job']);
  });

  it('upload bytes: a submission body above the limit gets 429, also without Content-Length', async () => {
    const big = await submit(free, { seconds: 1, fail: false, pad: 'x'.repeat(5000) });
    expect(big.status).toBe(429);
    expect(big.body).toMatchObject({ limit: 'max-upload-bytes', value: 4096 });
    expect(big.headers.get('retry-after')).toBe('3600');
    const chunked = await fetch(`${c.a.url}/processes/sleep/execution`, {
      method: 'POST',
      headers: { ...bearer(free).headers, 'content-type': 'application/json' },
      body: new Blob([JSON.stringify({ inputs: { seconds: 1, pad: 'y'.repeat(5000) } })]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(429);
  });
});
