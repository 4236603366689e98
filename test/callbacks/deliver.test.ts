// One callback attempt (checked, pinned address) and the retrying deliverer, against a local receiver.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Lookup } from '../../src/callbacks/address.js';
import { Deliverer } from '../../src/callbacks/deliver.js';
import { postOnce } from '../../src/callbacks/post.js';
import { until } from '../helpers/until.js';

let server: Server;
let port: number;
const heard: Array<{ path: string; host: string | undefined; body: string }> = [];
/** Status per path, in order; the last one repeats. */
const script = new Map<string, number[]>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      heard.push({ path: req.url!, host: req.headers.host, body });
      const s = script.get(req.url!) ?? [200];
      const status = s.length > 1 ? s.shift()! : s[0];
      if (status === 0) return; // never answers
      res.writeHead(status, status === 429 ? { 'retry-after': '1' } : {}).end();
    });
  }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A DNS whose answer the test sets: what rebinding looks like from here. */
let answer = '127.0.0.1';
const lookup: Lookup = async () => [{ address: answer, family: 4 }];
const never = new AbortController().signal;
const count = (path: string) => heard.filter((h) => h.path === path).length;

describe('postOnce', () => {
  it('connects to the address it checked, not to a second resolution of the name', async () => {
    // hooks.test resolves nowhere for the system; only the checked (pinned) address can be reached.
    const r = await postOnce(`http://hooks.test:${port}/pinned`, '{"a":1}', { allow: ['hooks.test'], timeoutMs: 2000, signal: never, lookup });
    expect(r.status).toBe(200);
    expect(heard.find((h) => h.path === '/pinned')).toEqual({ path: '/pinned', host: `hooks.test:${port}`, body: '{"a":1}' });
  });

  it('checks again at delivery: a name that now resolves to an internal address is refused before connecting', async () => {
    answer = '127.0.0.1';
    await expect(postOnce(`http://rebind.test:${port}/rebound`, '{}', { allow: [], timeoutMs: 2000, signal: never, lookup })).rejects.toMatchObject({ name: 'RefusedAddressError' });
    expect(count('/rebound')).toBe(0);
  });

  it('gives up on a receiver that never answers after the timeout', async () => {
    script.set('/silent', [0]);
    const t0 = Date.now();
    await expect(postOnce(`http://127.0.0.1:${port}/silent`, '{}', { allow: ['127.0.0.1'], timeoutMs: 300, signal: never })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('follows no redirect', async () => {
    script.set('/moved', [302]);
    expect((await postOnce(`http://127.0.0.1:${port}/moved`, '{}', { allow: ['127.0.0.1'], timeoutMs: 2000, signal: never })).status).toBe(302);
  });
});

describe('Deliverer', () => {
  const log = pino({ level: 'silent' });
  const make = (retryForMs = 10_000) => new Deliverer({ allow: ['127.0.0.1'], retryForMs, timeoutMs: 500, log, baseDelayMs: 50 });

  it('retries 5xx, 408 and 429 (honouring Retry-After), and stops at the first 2xx', async () => {
    const d = make();
    script.set('/r1', [500, 408, 429, 204]);
    const t0 = Date.now();
    d.send('job1', 'success', `http://127.0.0.1:${port}/r1`, { ok: true });
    await until('delivery', () => count('/r1') === 4, 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000); // Retry-After: 1
    await new Promise((r) => setTimeout(r, 300));
    expect(count('/r1')).toBe(4);
    await d.close();
  });

  it('takes another 4xx as final', async () => {
    const d = make();
    script.set('/gone', [410]);
    d.send('job2', 'failed', `http://127.0.0.1:${port}/gone`, {});
    await until('one attempt', () => count('/gone') === 1);
    await new Promise((r) => setTimeout(r, 400));
    expect(count('/gone')).toBe(1);
    await d.close();
  });

  it('gives up when the retry window is over', async () => {
    const d = make(300);
    script.set('/down', [503]);
    d.send('job3', 'success', `http://127.0.0.1:${port}/down`, {});
    await new Promise((r) => setTimeout(r, 1200));
    const n = count('/down');
    expect(n).toBeGreaterThanOrEqual(2);
    expect(n).toBeLessThanOrEqual(5);
    await new Promise((r) => setTimeout(r, 500));
    expect(count('/down')).toBe(n);
    await d.close();
  });

  it('a newer status supersedes a pending in-progress one; close() drops retries and is idempotent', async () => {
    const d = make();
    script.set('/p', [503]);
    d.send('job4', 'in-progress', `http://127.0.0.1:${port}/p`, {});
    await until('first progress attempt', () => count('/p') === 1);
    d.send('job4', 'success', `http://127.0.0.1:${port}/s`, {});
    await until('success', () => count('/s') === 1);
    await new Promise((r) => setTimeout(r, 400));
    expect(count('/p')).toBe(1);

    script.set('/c', [503]);
    d.send('job5', 'success', `http://127.0.0.1:${port}/c`, {});
    await until('first attempt', () => count('/c') === 1);
    await Promise.all([d.close(), d.close()]);
    d.send('job6', 'success', `http://127.0.0.1:${port}/after-close`, {});
    await new Promise((r) => setTimeout(r, 400));
    expect(count('/c')).toBe(1);
    expect(count('/after-close')).toBe(0);
  });
});
