/**
 * Result downloads without a header (signed links: HMAC over path and expiry), the console's
 * session cookie with its CSRF header, and GET /auth/check for nginx auth_request — in SQLite
 * and Redis modes (a link signed by one node works on the other).
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, SIGNING_KEY, startAuthCluster, submitInit, waitDone, type AuthCluster, type Mode } from './auth-service.js';

const sign = (path: string, exp: number) => createHmac('sha256', SIGNING_KEY).update(`${path}\n${exp}`).digest('hex');

describe.each<Mode>(['sqlite', 'redis'])('signed links, sessions, auth_request (%s)', (mode) => {
  let c: AuthCluster;
  let alice: string, reader: string;
  let job: string, href: string;
  beforeAll(async () => {
    c = await startAuthCluster(mode);
    alice = c.token('alice', 'submit');
    reader = c.token('reader', 'read');
    job = (await c.a.json('/processes/test-file/execution', submitInit(alice, { text: 'signed bytes' }))).body.jobID;
    await waitDone(c.a, alice, job);
    href = (await c.a.json(`/jobs/${job}/results`, bearer(alice))).body.out.href;
  }, 60_000);
  afterAll(async () => c?.close());

  it('results links carry exp and sig and work without Authorization, on every node', async () => {
    const u = new URL(href);
    expect(u.pathname).toBe(`/jobs/${job}/files/sub/hello.txt`);
    const exp = Number(u.searchParams.get('exp'));
    expect(exp * 1000).toBeGreaterThan(Date.now() + 6 * 86_400_000); // SUBSETD_LINK_TTL 7d
    expect(u.searchParams.get('sig')).toMatch(/^[0-9a-f]{64}$/);
    for (const node of [c.a, c.b]) {
      const r = await fetch(node.url + u.pathname + u.search);
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('signed bytes');
    }
    expect((await fetch(c.a.url + u.pathname + u.search, { method: 'HEAD' })).status).toBe(200);
    // Without the signature the file needs a token like any job route.
    expect((await fetch(c.a.url + u.pathname)).status).toBe(401);
  });

  it('a changed path, a changed signature or an expired link is 403', async () => {
    const u = new URL(href);
    const exp = u.searchParams.get('exp')!;
    const sig = u.searchParams.get('sig')!;
    const flipped = sig.slice(0, -1) + (sig.endsWith('0') ? '1' : '0');
    const cases = [
      `/jobs/${job}/files/sub/other.txt?exp=${exp}&sig=${sig}`,
      `${u.pathname}?exp=${exp}&sig=${flipped}`,
      `${u.pathname}?exp=${Number(exp) + 1}&sig=${sig}`,
      `${u.pathname}?exp=${exp}`,
      `${u.pathname}?exp=${exp}&sig=zz`,
    ];
    for (const path of cases) {
      const r = await c.a.json(path);
      expect([path, r.status]).toEqual([path, 403]);
      expect(r.body.type).toBe('urn:subsetd:problem:forbidden');
    }
    const past = Math.floor(Date.now() / 1000) - 10;
    const expired = await c.a.json(`${u.pathname}?exp=${past}&sig=${sign(u.pathname, past)}`);
    expect(expired.status).toBe(403);
    expect(expired.body.detail).toMatch(/expired/);
    // The same scheme with a future expiry is accepted: the format is as documented.
    const future = Math.floor(Date.now() / 1000) + 60;
    expect((await c.a.json(`${u.pathname}?exp=${future}&sig=${sign(u.pathname, future)}`)).status).toBe(200);
    // A signature opens only the file route it names, not the job or its results.
    expect((await c.a.json(`/jobs/${job}?exp=${future}&sig=${sign(`/jobs/${job}`, future)}`)).status).toBe(401);
  });

  it('signs in with a token into an HttpOnly SameSite=Strict cookie; cookie writes need X-Subsetd-Request', async () => {
    const bad = await c.a.json('/auth/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'sdt_nope' }) });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('set-cookie')).toBeNull();
    expect((await c.a.json('/auth/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).body.field).toBe('token');

    const r = await c.a.json('/auth/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: alice }) });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ name: 'alice', scope: 'submit' });
    const setCookie = r.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^subsetd_session=sdt_/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toMatch(/Secure/); // plain http here
    const cookie = setCookie.split(';')[0];

    expect((await c.b.json('/auth/whoami', { headers: { cookie } })).body).toMatchObject({ name: 'alice', scope: 'submit' });
    expect((await c.a.json('/jobs', { headers: { cookie } })).status).toBe(200);
    const body = JSON.stringify({ inputs: { text: 'via cookie' } });
    const csrf = await c.a.json('/processes/test-file/execution', { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body });
    expect(csrf.status).toBe(403);
    expect(csrf.body.detail).toMatch(/X-Subsetd-Request/);
    const ok = await c.a.json('/processes/test-file/execution', { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'X-Subsetd-Request': '1', Prefer: 'respond-async' }, body });
    expect(ok.status).toBe(201);
    expect((await c.a.json(`/jobs/${ok.body.jobID}`, { method: 'DELETE', headers: { cookie } })).status).toBe(403);
    expect((await c.a.json(`/jobs/${ok.body.jobID}`, { method: 'DELETE', headers: { cookie, 'X-Subsetd-Request': '1' } })).status).toBe(200);
    // A Bearer token needs no CSRF header (a browser cannot send one cross-site without CORS).
    expect((await c.a.json('/processes/test-file/execution', submitInit(alice, { text: 'bearer' }))).status).toBe(201);

    const out = await c.a.json('/auth/session', { method: 'DELETE', headers: { cookie, 'X-Subsetd-Request': '1' } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^subsetd_session=;.*Max-Age=0/);
  });

  it('GET /auth/check judges X-Original-URI and X-Original-Method for nginx: 204 / 401 / 403', async () => {
    const check = async (uri: string, method: string, headers: Record<string, string> = {}) =>
      (await fetch(`${c.a.url}/auth/check`, { headers: { 'X-Original-URI': uri, 'X-Original-Method': method, ...headers } })).status;
    const auth = (t: string) => ({ Authorization: `Bearer ${t}` });
    expect(await check('/jobs', 'GET')).toBe(401);
    expect(await check('/jobs', 'GET', auth(reader))).toBe(204);
    expect(await check('/processes/test-file/execution', 'POST', auth(reader))).toBe(403);
    expect(await check('/processes/test-file/execution', 'POST', auth(alice))).toBe(204);
    expect(await check('/admin/stats', 'GET', auth(alice))).toBe(403);
    expect(await check('/auth/whoami', 'GET')).toBe(204);
    const u = new URL(href);
    expect(await check(u.pathname + u.search, 'GET')).toBe(204);
    expect(await check(`${u.pathname}?exp=1&sig=${'0'.repeat(64)}`, 'GET')).toBe(403);
  });
});
