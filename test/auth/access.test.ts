/**
 * Who may call what, over real HTTP with real tokens (made by `subsetd tokens create`), in
 * SQLite and Redis modes: 401 with WWW-Authenticate for a missing/unknown/bad token, 403 for
 * too small a scope, anonymous access only where SUBSETD_ANONYMOUS=read allows it, the console
 * page, /auth/* and probes always answered, /health details for admins only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthCluster, submitInit, type AuthCluster, type Mode } from './auth-service.js';

describe.each<Mode>(['sqlite', 'redis'])('access control (%s)', (mode) => {
  let c: AuthCluster;
  const t: Record<string, string> = {};
  beforeAll(async () => {
    c = await startAuthCluster(mode);
    t.read = c.token('reader', 'read');
    t.submit = c.token('submitter', 'submit');
    t.admin = c.token('boss', 'admin');
  }, 60_000);
  afterAll(async () => c?.close());

  const expect401 = async (path: string, init?: RequestInit) => {
    const r = await c.a.json(path, init);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body).toMatchObject({ status: 401, type: 'urn:subsetd:problem:unauthorized' });
    return r.body;
  };

  it('refuses a request without a token, and unknown, malformed or non-Bearer tokens', async () => {
    for (const path of ['/jobs', '/processes', '/', '/conformance', '/openapi.json', '/boundaries', '/datasets', '/admin/stats', '/data']) await expect401(path);
    await expect401('/processes/hello-world/execution', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs":{}}' });
    const forged = t.read.slice(0, -4) + (t.read.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await expect401('/jobs', bearer(forged))).detail).toBe('unknown token');
    expect((await c.a.json('/jobs', bearer(forged))).headers.get('www-authenticate')).toBe('Bearer realm="subsetd", error="invalid_token"');
    expect((await c.a.json('/jobs')).headers.get('www-authenticate')).toBe('Bearer realm="subsetd"');
    await expect401('/jobs', bearer('sdt_nope'));
    await expect401('/jobs', { headers: { Authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } });
    await expect401('/jobs', { headers: { Authorization: `Token ${t.admin}` } });
    // An unknown path does not reveal itself to a caller without a token.
    await expect401('/no/such/route');
  });

  it('read may read, submit may also create, admin may do everything; else 403', async () => {
    expect((await c.a.json('/processes', bearer(t.read))).status).toBe(200);
    expect((await c.a.json('/jobs', bearer(t.read))).status).toBe(200);
    const denied = await c.a.json('/processes/hello-world/execution', submitInit(t.read, { name: 'x' }));
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ type: 'urn:subsetd:problem:forbidden', status: 403 });
    expect(denied.body.detail).toMatch(/scope submit/);
    const made = await c.a.json('/processes/hello-world/execution', submitInit(t.submit, { name: 'x' }));
    expect(made.status).toBe(201);
    expect((await c.a.json(`/jobs/${made.body.jobID}`, { ...bearer(t.read), method: 'DELETE' })).status).toBe(403);
    for (const tok of [t.read, t.submit]) expect((await c.a.json('/admin/stats', bearer(tok))).status).toBe(403);
    expect((await c.a.json('/admin/stats', bearer(t.admin))).status).not.toBe(403);
    expect((await c.a.json('/processes/hello-world/execution', submitInit(t.admin, { name: 'y' }))).status).toBe(201);
  });

  it('the same token works on every node', async () => {
    expect((await c.b.json('/jobs', bearer(t.submit))).status).toBe(200);
  });

  it('answers probes, /auth/* and the console page without a token', async () => {
    expect((await c.a.json('/health')).body).toEqual({ status: 'ok' });
    expect((await c.a.json('/health', bearer(t.submit))).body).toEqual({ status: 'ok' });
    const full = await c.a.json('/health', bearer(t.admin));
    expect(full.body.workers).toBeDefined();
    expect([200, 503]).toContain((await c.a.json('/ready')).status);
    expect((await c.a.json('/auth/whoami')).body).toEqual({ auth: 'tokens', anonymous: 'none', name: null, scope: null });
    expect((await c.a.json('/auth/whoami', bearer(t.submit))).body).toEqual({ auth: 'tokens', anonymous: 'none', name: 'submitter', scope: 'submit' });
    // A stale credential does not stop whoami (the console then shows its sign-in form).
    expect((await c.a.json('/auth/whoami', bearer('sdt_bad'))).body.name).toBeNull();
    // The console's page and assets: 200 when built, 503 when not; never 401.
    for (const [path, accept] of [['/', 'text/html'], ['/ui/', 'text/html'], ['/ui/jobs/x', 'text/html'], ['/ui/assets/none.js', '*/*']]) {
      expect([200, 404, 503]).toContain((await c.a.json(path, { headers: { Accept: accept } })).status);
    }
  });
});

describe('SUBSETD_ANONYMOUS=read', () => {
  let c: AuthCluster;
  beforeAll(async () => {
    c = await startAuthCluster('sqlite', { SUBSETD_ANONYMOUS: 'read' });
  }, 60_000);
  afterAll(async () => c?.close());

  it('lets anonymous callers read the public documents, never jobs', async () => {
    for (const path of ['/', '/conformance', '/openapi.json', '/processes', '/processes/hello-world', '/boundaries', '/datasets'])
      expect([path, (await c.a.json(path)).status]).toEqual([path, 200]);
    for (const path of ['/jobs', '/jobs/x', '/jobs/x/results', '/data', '/admin/stats']) expect([path, (await c.a.json(path)).status]).toEqual([path, 401]);
    const post = await c.a.json('/processes/hello-world/execution', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs":{"name":"x"}}' });
    expect(post.status).toBe(401);
    expect((await c.a.json('/auth/whoami')).body.anonymous).toBe('read');
  });
});
