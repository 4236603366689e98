/**
 * The ISIMIP Files API endpoint under access control, SQLite and Redis modes: the same tokens,
 * the same ownership (ids derived per owner, another owner's job "not found"), and a signed
 * file_url the ISIMIP client downloads without headers.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataRoot } from '../netcdf/helpers.js';
import { bearer, startAuthCluster, type AuthCluster, type Mode } from './auth-service.js';

const request = { paths: ['ISIMIP3b/tas_global_daily_2015.nc'], operations: [{ operation: 'mask_bbox', bbox: [5.5, 15.5, 47, 55.5] }] };

describe.each<Mode>(['sqlite', 'redis'])('ISIMIP endpoint with tokens (%s)', (mode) => {
  let c: AuthCluster;
  let alice: string, bob: string;
  beforeAll(async () => {
    const made = makeDataRoot();
    mkdirSync(join(made.root, 'ISIMIP3b'), { recursive: true });
    copyFileSync(join(made.root, made.files.nc4), join(made.root, 'ISIMIP3b/tas_global_daily_2015.nc'));
    c = await startAuthCluster(mode, { SUBSETD_DATA_ROOT: made.root });
    alice = c.token('alice', 'submit');
    bob = c.token('bob', 'submit');
  }, 60_000);
  afterAll(async () => c?.close());

  const post = (token: string | null) =>
    c.a.json('/isimip/v2', { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(request) });

  async function finished(token: string, jobUrl: string) {
    for (const t0 = Date.now(); Date.now() - t0 < 30_000; ) {
      const job = await (await fetch(jobUrl, bearer(token))).json();
      if (!['queued', 'started'].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('ISIMIP job did not finish');
  }

  it('needs a token; two owners sending one request get separate jobs with separate ids', async () => {
    expect((await post(null)).status).toBe(401);
    const a = await post(alice);
    const b = await post(bob);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(a.body.id).toMatch(/^[0-9a-f]{40}$/);
    expect(b.body.id).not.toBe(a.body.id);
    // The same owner repeating it gets its own job back.
    expect((await post(alice)).body.id).toBe(a.body.id);

    expect((await c.b.json(`/isimip/v2/${a.body.id}`, bearer(bob))).body).toEqual({ status: 'not found' });
    expect((await c.a.json(`/isimip/v2/${a.body.id}`, { ...bearer(bob), method: 'DELETE' })).status).toBe(404);
    expect((await c.a.json(`/jobs/${a.body.id}`, bearer(bob))).status).toBe(404);

    const done = await finished(alice, a.body.job_url);
    expect(done.status).toBe('finished');
    const url = new URL(done.file_url);
    expect(url.pathname).toBe(`/isimip/v2/output/${done.file_name}`);
    expect(url.searchParams.get('sig')).toMatch(/^[0-9a-f]{64}$/);
    // The client's download step sends no header: the signature is enough, on every node.
    for (const node of [c.a, c.b]) {
      const zip = await fetch(node.url + url.pathname + url.search);
      expect(zip.status).toBe(200);
      expect(zip.headers.get('content-type')).toBe('application/zip');
    }
    expect((await fetch(c.a.url + url.pathname, bearer(alice))).status).toBe(200);
    expect((await fetch(c.a.url + url.pathname, bearer(bob))).status).toBe(404);
    expect((await fetch(c.a.url + url.pathname)).status).toBe(401);
    const other = url.pathname.replace(a.body.id, b.body.id);
    expect((await fetch(c.a.url + other + url.search)).status).toBe(403);
  });
});
