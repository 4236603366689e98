/**
 * GET /jobs/{id} is answered beside Hono (src/server/fast-job-status.ts) from a record cache
 * (src/stores/sqlite/record-cache.ts). Both must be invisible: the same bytes and headers as the
 * Hono route (reached with ?f=json), the same log line and metric, every access check, and never
 * an answer staler than a read — also after another process (the CLI) changed the job.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthCluster, submitInit, type AuthCluster } from '../auth/auth-service.js';
import { ASYNC, CLI, post, startService, waitForJob, type RunningService } from '../helpers/service.js';

const SAME_HEADERS = ['content-type', 'content-length', 'content-security-policy', 'x-content-type-options', 'referrer-policy'];

async function both(url: string, init: RequestInit = {}) {
  const fast = await fetch(url, init);
  const hono = await fetch(`${url}?f=json`, init);
  return { fast: { status: fast.status, headers: fast.headers, body: await fast.text() }, hono: { status: hono.status, headers: hono.headers, body: await hono.text() } };
}

describe('without access control', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService();
  });
  afterAll(() => svc?.cleanup());

  it('answers what the Hono route answers, byte for byte, while the job moves', async () => {
    const { body } = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 1.5 } }, ASYNC));
    const url = `${svc.url}/jobs/${body.jobID}`;
    const seen = new Set<string>();
    for (;;) {
      const { fast, hono } = await both(url);
      const f = JSON.parse(fast.body);
      const h = JSON.parse(hono.body);
      // The job may move between the two requests: compare when it did not.
      if (f.updated === h.updated && f.progress === h.progress) {
        expect(fast.status).toBe(200);
        expect(fast.body).toBe(hono.body);
        for (const k of SAME_HEADERS) expect([k, fast.headers.get(k)]).toEqual([k, hono.headers.get(k)]);
      }
      seen.add(f.status);
      if (f.status === 'successful') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // Every state was seen through the fast path, the last with its results link.
    expect([...seen]).toEqual(expect.arrayContaining(['running', 'successful']));
    const done = JSON.parse((await both(url)).fast.body);
    expect(done.links.map((l: any) => l.rel)).toContain('http://www.opengis.net/def/rel/ogc/1.0/results');
  });

  it('logs its request line and counts it under the route template', async () => {
    const { body } = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 0 } }, ASYNC));
    await waitForJob(svc, body.jobID);
    const before = svc.logs.length;
    await fetch(`${svc.url}/jobs/${body.jobID}`);
    await new Promise((r) => setTimeout(r, 200));
    const line = svc.logs.slice(before).map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.path === `/jobs/${body.jobID}`);
    expect(line).toMatchObject({ method: 'GET', status: 200, job: body.jobID });
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/subsetd_http_request_duration_seconds_count\{[^}]*route="\/jobs\/:id"[^}]*status="200"[^}]*\} [1-9]/);
  });

  it('sees at once what another process changed (the CLI dismissing the job)', async () => {
    const { body } = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 30 } }, ASYNC));
    await waitForJob(svc, body.jobID, ['running']);
    const url = `${svc.url}/jobs/${body.jobID}`;
    for (let i = 0; i < 3; i++) expect(JSON.parse((await both(url)).fast.body).status).toBe('running');
    const childEnv: Record<string, string | undefined> = { ...process.env };
    for (const k of Object.keys(childEnv)) if (k.startsWith('SUBSETD_')) delete childEnv[k];
    const r = spawnSync(process.execPath, [CLI, 'jobs', 'cancel', body.jobID], { env: { ...childEnv, ...svc.env }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse((await fetch(url).then((x) => x.text()))).status).toBe('dismissed');
  });

  it('leaves everything else to the app: unknown jobs, browsers, HEAD, odd ids', async () => {
    const missing = await both(`${svc.url}/jobs/no-such-job`);
    expect(missing.fast.status).toBe(404);
    expect(missing.fast.body).toBe(missing.hono.body.replace('?f=json', ''));
    expect(missing.fast.headers.get('content-type')).toBe('application/problem+json');
    const { body } = await svc.json('/processes/sleep/execution', post({ inputs: { seconds: 0 } }, ASYNC));
    const page = await fetch(`${svc.url}/jobs/${body.jobID}`, { headers: { Accept: 'text/html' }, redirect: 'manual' });
    expect(page.status).toBe(303);
    const head = await fetch(`${svc.url}/jobs/${body.jobID}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect((await fetch(`${svc.url}/jobs/${encodeURIComponent(body.jobID)}%20`)).status).toBe(404);
  });
});

describe('with tokens', () => {
  let c: AuthCluster;
  let alice: string, bob: string, boss: string, job: string;
  beforeAll(async () => {
    c = await startAuthCluster('sqlite');
    alice = c.token('alice', 'submit');
    bob = c.token('bob', 'submit');
    boss = c.token('boss', 'admin');
    job = (await c.a.json('/processes/test-file/execution', submitInit(alice, { text: 'a' }))).body.jobID;
  }, 60_000);
  afterAll(async () => c?.close());

  it('checks the token and the owner exactly as the app does', async () => {
    const url = `${c.a.url}/jobs/${job}`;
    for (const [who, init, status] of [
      ['owner', bearer(alice), 200],
      ['admin', bearer(boss), 200],
      ['another owner', bearer(bob), 404],
      ['no token', {}, 401],
      ['a bad token', bearer('nope'), 401],
    ] as const) {
      const { fast, hono } = await both(url, init);
      expect([who, fast.status]).toEqual([who, status]);
      expect([who, fast.headers.get('www-authenticate')]).toEqual([who, hono.headers.get('www-authenticate')]);
      if (status === 200) expect(fast.body).toBe(hono.body);
    }
    // A token revoked by another process is refused at once.
    expect(c.cli(['tokens', 'revoke', 'alice']).status).toBe(0);
    expect((await fetch(url, bearer(alice))).status).toBe(401);
  });
});
