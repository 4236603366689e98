/**
 * Slowloris: clients that trickle their headers or body a byte at a time. They get 408 and are
 * closed after SUBSETD_HEADERS_TIMEOUT / SUBSETD_REQUEST_TIMEOUT, and while they hang on the
 * server keeps answering everyone else.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../helpers/service.js';

let svc: RunningService;
let port: number;
beforeAll(async () => {
  svc = await startService({ SUBSETD_WORKERS: '0', SUBSETD_HEADERS_TIMEOUT: '1s', SUBSETD_REQUEST_TIMEOUT: '2s' });
  port = Number(new URL(svc.url).port);
}, 60_000);
afterAll(() => svc?.cleanup());

interface Trickle {
  sock: Socket;
  /** Everything the server sent, once it closed the connection. */
  closed: Promise<string>;
  stop(): void;
}

/** Opens a connection, sends `head` at once, then one byte of `drip` every `everyMs`. */
function trickle(head: string, drip: string, everyMs: number): Trickle {
  const sock = connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  let got = '';
  let i = 0;
  let timer: NodeJS.Timeout | undefined;
  sock.on('connect', () => {
    sock.write(head);
    timer = setInterval(() => {
      if (!sock.destroyed && sock.writable) sock.write(drip[i++ % drip.length]);
    }, everyMs);
  });
  sock.on('data', (d) => (got += d));
  const closed = new Promise<string>((r) => sock.on('close', () => (clearInterval(timer), r(got))));
  sock.on('error', () => {});
  return { sock, closed, stop: () => (clearInterval(timer), sock.destroy()) };
}

async function quickGet(): Promise<{ status: number; ms: number }> {
  const t0 = performance.now();
  const r = await fetch(`${svc.url}/jobs?limit=1`);
  await r.text();
  return { status: r.status, ms: performance.now() - t0 };
}

describe('slow headers', () => {
  it('get 408 and the connection closed; 200 slowloris connections do not keep others waiting', async () => {
    const slow = Array.from({ length: 200 }, () => trickle('GET /jobs HTTP/1.1\r\nHost: x\r\n', 'X-a: b\r\n', 100));
    const t0 = Date.now();
    // While they are all still trickling, a normal request is answered.
    await new Promise((r) => setTimeout(r, 300));
    const other = await quickGet();
    expect(other.status).toBe(200);
    const answers = await Promise.all(slow.map((s) => s.closed));
    const elapsed = Date.now() - t0;
    for (const a of answers) expect(a).toMatch(/^HTTP\/1\.1 408 /);
    expect(elapsed).toBeLessThan(10_000); // closed by the 1 s limit, not by the client
    expect((await quickGet()).status).toBe(200);
  });
});

describe('slow bodies', () => {
  it('get 408 once the whole request takes longer than SUBSETD_REQUEST_TIMEOUT', async () => {
    const head = 'POST /processes/hello-world/execution HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"inputs":{"name":"';
    const slow = Array.from({ length: 20 }, () => trickle(head, 'a', 50));
    await new Promise((r) => setTimeout(r, 300));
    expect((await quickGet()).status).toBe(200);
    const answers = await Promise.all(slow.map((s) => s.closed));
    for (const a of answers) expect(a).toMatch(/^HTTP\/1\.1 408 /);
    expect((await quickGet()).status).toBe(200);
    // The aborted bodies are not server errors.
    expect(svc.logs.filter((l) => l.includes('"unhandled error"'))).toEqual([]);
  });
});

describe('idle keep-alive connections', () => {
  it('are not cut by the headers timeout: a request after a longer pause still works', async () => {
    const sock = connect(port, '127.0.0.1');
    let got = '';
    sock.on('data', (d) => (got += d));
    await new Promise<void>((r) => sock.on('connect', () => r()));
    const ask = async () => {
      got = '';
      sock.write('GET /conformance HTTP/1.1\r\nHost: x\r\n\r\n');
      for (let i = 0; i < 100 && !got.includes('conformsTo'); i++) await new Promise((r) => setTimeout(r, 20));
      return got;
    };
    expect(await ask()).toMatch(/^HTTP\/1\.1 200 /);
    await new Promise((r) => setTimeout(r, 2_500)); // idle longer than both timeouts
    expect(await ask()).toMatch(/^HTTP\/1\.1 200 /);
    sock.destroy();
  });
});
