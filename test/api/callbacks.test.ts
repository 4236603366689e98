// OGC callbacks (subscriber) over real HTTP: the bundled service POSTs to a real local receiver.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASYNC, post, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { until } from '../helpers/until.js';
import { startAuthCluster, type AuthCluster } from '../auth/auth-service.js';

interface Heard {
  path: string;
  method: string;
  type: string | undefined;
  body: any;
  at: number;
}

/** The receiver: /ok/... answers 200, /flaky/... 503 twice then 200, /hang/... never answers. */
let receiver: Server;
let recv: string;
const heard: Heard[] = [];
const hanging: ServerResponse[] = [];
const tries = new Map<string, number>();
const at = (path: string) => heard.filter((h) => h.path === path);

function answer(req: IncomingMessage, res: ServerResponse) {
  let text = '';
  req.on('data', (d) => (text += d));
  req.on('end', () => {
    const path = req.url!;
    heard.push({ path, method: req.method!, type: req.headers['content-type'], body: text ? JSON.parse(text) : null, at: Date.now() });
    const n = (tries.get(path) ?? 0) + 1;
    tries.set(path, n);
    if (path.startsWith('/hang/')) return void hanging.push(res);
    if (path.startsWith('/flaky/') && n <= 2) return void res.writeHead(503).end('busy');
    res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
  });
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

let svc: RunningService;
beforeAll(async () => {
  receiver = createServer(answer).listen(0, '127.0.0.1');
  await new Promise((r) => receiver.once('listening', r));
  recv = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  svc = await startService({ SUBSETD_CALLBACK_ALLOW_HOSTS: '127.0.0.1', SUBSETD_CALLBACK_TIMEOUT: '1s', SUBSETD_CALLBACK_RETRY_FOR: '30s' });
});
afterAll(async () => {
  svc?.cleanup();
  for (const r of hanging) r.destroy();
  receiver?.closeAllConnections();
  await new Promise((r) => receiver?.close(r));
});

const submit = async (inputs: Record<string, unknown>, subscriber: Record<string, string>, s = svc) =>
  s.json('/processes/sleep/execution', post({ inputs, subscriber }, ASYNC));

describe('callbacks', () => {
  it('declares the callback conformance class', async () => {
    expect((await svc.json('/conformance')).body.conformsTo).toContain('http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/callback');
  });

  it('POSTs statusInfo while running (the first at once, then at most one per 5 s) and the results document on success', async () => {
    const sub = { successUri: `${recv}/ok/a/success?token=s3cret`, inProgressUri: `${recv}/ok/a/progress`, failedUri: `${recv}/ok/a/failed` };
    const r = await submit({ seconds: 6 }, sub);
    expect(r.status).toBe(201);
    const id = r.body.jobID;
    await until('the success callback', () => at('/ok/a/success?token=s3cret').length > 0, 20_000);
    const results = await svc.json(`/jobs/${id}/results`);
    expect(results.status).toBe(200);
    const [success] = at('/ok/a/success?token=s3cret');
    expect(success).toMatchObject({ method: 'POST', type: 'application/json' });
    expect(success.body).toEqual(results.body);
    expect(success.body).toEqual({ slept: 6 });

    // 6 s of progress every 100 ms: one at the start, one after 5 s; never the 60 steps.
    const progress = at('/ok/a/progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.length).toBeLessThanOrEqual(3);
    for (const p of progress) expect(p.body).toMatchObject({ type: 'process', jobID: id, processID: 'sleep', status: 'running' });
    expect(progress[1].at - progress[0].at).toBeGreaterThanOrEqual(4500);
    expect(progress[1].body.progress).toBeGreaterThan(progress[0].body.progress);
    expect(progress[0].body.links.find((l: any) => l.rel === 'self').href).toBe(`${svc.url}/jobs/${id}`);
    expect(at('/ok/a/failed')).toHaveLength(0);
    // The log names the host, never the path or query (they may carry the receiver's secret).
    const line = svc.logs.find((l) => l.includes('callback delivered') && l.includes(id) && l.includes('"success"'));
    expect(JSON.parse(line!)).toMatchObject({ job: id, host: recv.slice('http://'.length), attempt: 1, status: 200 });
    expect(svc.logs.join('\n')).not.toContain('s3cret');
  });

  it('POSTs statusInfo with the message to failedUri when the job fails, and when it is dismissed before it ends', async () => {
    const f = await submit({ seconds: 0.2, fail: true }, { successUri: `${recv}/ok/b/success`, failedUri: `${recv}/ok/b/failed` });
    await until('the failed callback', () => at('/ok/b/failed').length > 0, 15_000);
    expect(at('/ok/b/failed')[0].body).toMatchObject({ jobID: f.body.jobID, status: 'failed', message: expect.stringContaining('sleep was asked to fail') });

    const d = await submit({ seconds: 30 }, { failedUri: `${recv}/ok/c/failed` });
    await waitForJob(svc, d.body.jobID, ['running']);
    expect((await svc.json(`/jobs/${d.body.jobID}`, { method: 'DELETE' })).status).toBe(200);
    await until('the dismissal callback', () => at('/ok/c/failed').length > 0, 10_000);
    expect(at('/ok/c/failed')[0].body).toMatchObject({ jobID: d.body.jobID, status: 'dismissed' });
    // Dismissing it again (it has ended) calls no one.
    await svc.json(`/jobs/${d.body.jobID}`, { method: 'DELETE' });
    await new Promise((r) => setTimeout(r, 500));
    expect(at('/ok/c/failed')).toHaveLength(1);
    expect(at('/ok/b/success')).toHaveLength(0);
  });

  it('retries 503 with backoff until the receiver takes it, then stops', async () => {
    const t0 = Date.now();
    const r = await submit({ seconds: 0.1 }, { successUri: `${recv}/flaky/d/success` });
    await until('three attempts', () => at('/flaky/d/success').length >= 3, 15_000);
    const tries = at('/flaky/d/success');
    // Backoff: ~0.5-1 s, then ~1-2 s.
    expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(450);
    expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(950);
    expect(tries[2].at - t0).toBeLessThan(10_000);
    for (const t of tries) expect(t.body).toEqual({ slept: 0.1 });
    await new Promise((res) => setTimeout(res, 2500));
    expect(at('/flaky/d/success')).toHaveLength(3);
    const delivered = svc.logs.filter((l) => l.includes('callback delivered') && l.includes(r.body.jobID)).map((l) => JSON.parse(l));
    expect(delivered).toEqual([expect.objectContaining({ attempt: 3, status: 200, callback: 'success' })]);
    expect(svc.logs.filter((l) => l.includes('will retry') && l.includes(r.body.jobID))).toHaveLength(2);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/subsetd_callback_attempts_total\{kind="success",outcome="retry"\} [2-9]/);
  });

  it('never holds up a job: a receiver that is down or never answers', async () => {
    const down = `http://127.0.0.1:${await closedPort()}`;
    const t0 = Date.now();
    const a = await submit({ seconds: 0.1 }, { successUri: `${down}/success`, inProgressUri: `${down}/progress` });
    const b = await submit({ seconds: 0.2 }, { successUri: `${recv}/hang/e/success`, inProgressUri: `${recv}/hang/e/progress` });
    expect((await waitForJob(svc, a.body.jobID)).status).toBe('successful');
    expect((await waitForJob(svc, b.body.jobID)).status).toBe('successful');
    expect(Date.now() - t0).toBeLessThan(5000);
    await until('the hanging receiver to be asked for the result', () => at('/hang/e/success').length > 0, 5000);
    await until('a retry of the unreachable receiver', () => svc.logs.some((l) => l.includes('will retry') && l.includes(a.body.jobID) && l.includes('ECONNREFUSED')), 5000);
    // The hanging receiver times out (SUBSETD_CALLBACK_TIMEOUT=1s) and is retried.
    await until('a retry after the timeout', () => at('/hang/e/success').length >= 2, 5000);
  });

  it('shuts down cleanly with callbacks pending, and stops retrying', async () => {
    await submit({ seconds: 0.1 }, { successUri: `${recv}/hang/f/success` });
    await until('the callback in flight', () => at('/hang/f/success').length > 0, 10_000);
    const before = heard.length;
    const t0 = Date.now();
    expect(await svc.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(heard.length).toBe(before);
  });
});

describe('callback targets (SSRF)', () => {
  let strict: RunningService;
  beforeAll(async () => {
    strict = await startService({});
  });
  afterAll(() => strict?.cleanup());

  it('refuses internal and non-http targets with 400 naming the member, unless SUBSETD_CALLBACK_ALLOW_HOSTS allows them', async () => {
    const cases: Array<[string, string, RegExp]> = [
      ['successUri', `${recv}/ok/x`, /127\.0\.0\.1 is not a public address/],
      ['successUri', 'http://localhost/', /host "localhost" resolves to .*not a public address/],
      ['failedUri', 'http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is not a public address/],
      ['inProgressUri', 'http://10.0.0.1/', /10\.0\.0\.1 is not a public address/],
      ['successUri', 'http://[::1]:8080/', /::1 is not a public address/],
      ['successUri', 'ftp://example.org/x', /http or https/],
      ['successUri', 'http://no-such-host.invalid/', /does not resolve/],
    ];
    for (const [member, uri, detail] of cases) {
      const r = await submit({ seconds: 0.1 }, { [member]: uri }, strict);
      expect(r.status, uri).toBe(400);
      expect(r.body, uri).toMatchObject({ field: `subscriber.${member}`, detail: expect.stringMatching(detail) });
    }
    const unknown = await submit({ seconds: 0.1 }, { successUri: 'https://example.org/', doneUri: 'https://example.org/' }, strict);
    expect(unknown.body).toMatchObject({ status: 400, field: 'subscriber.doneUri' });
    // Nothing was queued.
    expect((await strict.json('/jobs')).body.jobs).toHaveLength(0);
  });
});

describe('callbacks with access control on', () => {
  let auth: AuthCluster;
  beforeAll(async () => {
    auth = await startAuthCluster('sqlite', { SUBSETD_CALLBACK_ALLOW_HOSTS: '127.0.0.1' });
  });
  afterAll(() => auth?.close());

  it('sends signed result links, which the receiver downloads without a token', async () => {
    const token = auth.token('hooks', 'submit');
    const r = await auth.a.json('/processes/test-file/execution', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json', Prefer: 'respond-async' },
      body: JSON.stringify({ inputs: { text: 'signed' }, subscriber: { successUri: `${recv}/ok/g/success` } }),
    });
    expect(r.status).toBe(201);
    await until('the success callback', () => at('/ok/g/success').length > 0, 15_000);
    const href = at('/ok/g/success')[0].body.out.href as string;
    expect(href).toMatch(new RegExp(`^${auth.a.url}/jobs/${r.body.jobID}/files/sub/hello.txt\\?exp=\\d+&sig=[0-9a-f]{64}$`));
    const file = await fetch(href);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('signed');
  });
});
