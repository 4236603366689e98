// Execute-request inputs in OGC API - Processes 1.0's qualified form ({value, encoding?, ...}) and
// by reference ({href, type?}), over real HTTP against the built service (src/server/input-values.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthCluster, type AuthCluster } from '../auth/auth-service.js';
import { post, startService, type RunningService } from '../helpers/service.js';

/** A local origin the references point at: path -> [status, content type, body]; /hang never answers. */
let origin: http.Server;
let originUrl: string;
const hits: string[] = [];
const ROUTES: Record<string, [number, string, string | Buffer]> = {
  '/text.txt': [200, 'text/plain; charset=utf-8', 'words from afar'],
  '/latin1.txt': [200, 'text/plain; charset=iso-8859-1', Buffer.from([0x63, 0x61, 0x66, 0xe9])], // "café"
  '/string.json': [200, 'application/json', JSON.stringify('a JSON string')],
  '/object.json': [200, 'application/geo+json', JSON.stringify({ not: 'a string' })],
  '/bad.bin': [200, 'application/octet-stream', Buffer.from([0xff, 0xfe, 0x00, 0x80])],
  '/big.txt': [200, 'text/plain', 'x'.repeat(100_000)],
  '/moved': [302, 'text/plain', ''],
  '/same.txt': [200, 'text/plain', 'same content either way'],
};

let svc: RunningService; // no SUBSETD_CALLBACK_ALLOW_HOSTS: loopback references are refused
let open: RunningService; // 127.0.0.1 allowed, short timeout, small body limit

beforeAll(async () => {
  origin = http.createServer((req, res) => {
    hits.push(req.url!);
    if (req.url === '/hang') return; // accepts, never answers
    if (req.url === '/big-chunked') {
      // No Content-Length: the cap must cut the body while it streams.
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = 'y'.repeat(16_384);
      let n = 0;
      const more = () => {
        while (n++ < 64) if (!res.write(chunk)) return res.once('drain', more);
        res.end();
      };
      return more();
    }
    const r = ROUTES[req.url!];
    if (!r) return res.writeHead(404, { 'content-type': 'text/plain' }).end('no such thing');
    res.writeHead(r[0], { 'content-type': r[1], ...(r[0] === 302 ? { location: `${originUrl}/text.txt` } : {}) }).end(r[2]);
  });
  await new Promise<void>((r) => origin.listen(0, '127.0.0.1', r));
  originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
  [svc, open] = await Promise.all([
    startService(),
    startService({ SUBSETD_CALLBACK_ALLOW_HOSTS: '127.0.0.1', SUBSETD_INPUT_FETCH_TIMEOUT: '700ms', SUBSETD_BODY_LIMIT: '64KB' }),
  ]);
});
afterAll(async () => {
  svc?.cleanup();
  open?.cleanup();
  origin?.closeAllConnections();
  await new Promise((r) => origin?.close(r));
});

/** Synchronous execution of test-outputs (text -> report.txt) asking for the report by value, raw. */
const echo = (s: RunningService, text: unknown, headers: Record<string, string> = {}) =>
  fetch(`${s.url}/processes/test-outputs/execution`, post({ inputs: { text }, response: 'raw', outputs: { report: { transmissionMode: 'value' } } }, headers));
const jobOf = (res: Response) => /\/jobs\/([^>]+)>/.exec(res.headers.get('link') ?? '')![1];
async function jobCount(s: RunningService): Promise<number> {
  return (await s.json('/jobs?limit=1000')).body.jobs.length;
}
async function refused(res: Response, field: string, detail: RegExp) {
  expect(res.status).toBe(400);
  const p = await res.json();
  expect(p).toMatchObject({ type: 'urn:subsetd:problem:invalid-input', field });
  expect(p.detail).toMatch(detail);
  return p;
}

describe('qualified values ({value, mediaType?, encoding?})', () => {
  it('takes the value of a qualified input', async () => {
    const res = await echo(svc, { value: 'qualified words', mediaType: 'text/plain' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('qualified words');
    // What is stored is the value, not the wrapper.
    expect((await svc.json(`/jobs/${jobOf(res)}`)).body.inputs).toEqual({ text: 'qualified words' });
  });

  it('decodes a base64 value to a UTF-8 string', async () => {
    const text = 'grüße aus base64 ✓';
    const res = await echo(svc, { value: Buffer.from(text).toString('base64'), encoding: 'base64', mediaType: 'text/plain' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(text);
  });

  it('is the same job as the plain value (dedup on the content)', async () => {
    const plain = await echo(svc, 'one job for both forms');
    const wrapped = await echo(svc, { value: Buffer.from('one job for both forms').toString('base64'), encoding: 'base64' });
    expect(plain.status).toBe(200);
    expect(wrapped.status).toBe(200);
    expect(jobOf(wrapped)).toBe(jobOf(plain));
  });

  it('refuses an unknown encoding, bad base64 and base64 that is not UTF-8, queuing nothing', async () => {
    const before = await jobCount(svc);
    await refused(await echo(svc, { value: 'abc', encoding: 'rot13' }), 'inputs.text.encoding', /unknown encoding "rot13"/);
    await refused(await echo(svc, { value: 'not base64!', encoding: 'base64' }), 'inputs.text.value', /not base64/);
    await refused(await echo(svc, { value: Buffer.from([0xff, 0xfe, 0x80]).toString('base64'), encoding: 'base64' }), 'inputs.text.value', /not UTF-8/);
    // A wrapper whose value has the wrong type is refused by the schema, as a plain value would be.
    await refused(await echo(svc, { value: 42 }), 'inputs.text', /must be string/);
    expect(await jobCount(svc)).toBe(before);
  });
});

describe('references to other servers ({href, type?})', () => {
  it('reads text and JSON from an allowed host', async () => {
    let res = await echo(open, { href: `${originUrl}/text.txt` });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('words from afar');
    expect((await open.json(`/jobs/${jobOf(res)}`)).body.inputs).toEqual({ text: 'words from afar' });

    res = await echo(open, { href: `${originUrl}/string.json` });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('a JSON string');

    // application/geo+json is JSON: parsed, so an object meets the string input's schema.
    await refused(await echo(open, { href: `${originUrl}/object.json` }), 'inputs.text', /must be string/);
    // The link's type wins over the answer's Content-Type: taken as text, it is a string.
    res = await echo(open, { href: `${originUrl}/object.json`, type: 'text/plain' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"not":"a string"}');

    // The answer's charset is honoured.
    res = await echo(open, { href: `${originUrl}/latin1.txt` });
    expect(await res.text()).toBe('café');
  });

  it('is the same job as the content given in-line', async () => {
    const inline = await echo(open, 'same content either way');
    const byRef = await echo(open, { href: `${originUrl}/same.txt`, type: 'text/plain', title: 'the same' });
    expect(byRef.status).toBe(200);
    expect(jobOf(byRef)).toBe(jobOf(inline));
  });

  it('refuses a loopback host unless SUBSETD_CALLBACK_ALLOW_HOSTS allows it, without contacting it', async () => {
    const before = await jobCount(svc);
    hits.length = 0;
    const p = await refused(await echo(svc, { href: `${originUrl}/text.txt` }), 'inputs.text.href', /127\.0\.0\.1 is not a public address.*SUBSETD_CALLBACK_ALLOW_HOSTS/);
    expect(p.detail).not.toMatch(/callbacks/);
    expect(hits).toEqual([]);
    await refused(await echo(svc, { href: 'http://169.254.169.254/latest/meta-data/' }), 'inputs.text.href', /not a public address/);
    await refused(await echo(svc, { href: 'file:///etc/passwd' }), 'inputs.text.href', /only http and https/);
    await refused(await echo(svc, { href: 'relative/path.txt' }), 'inputs.text.href', /not an absolute URL/);
    expect(await jobCount(svc)).toBe(before);
  });

  it('answers 400 naming the href for 404, a redirect, content not UTF-8, too large and no answer', async () => {
    const before = await jobCount(open);
    await refused(await echo(open, { href: `${originUrl}/missing.txt` }), 'inputs.text.href', /answered 404 Not Found/);
    await refused(await echo(open, { href: `${originUrl}/moved` }), 'inputs.text.href', /answered 302.*redirects are not followed/);
    await refused(await echo(open, { href: `${originUrl}/bad.bin` }), 'inputs.text.href', /not UTF-8 text/);
    // 100 000 bytes against SUBSETD_BODY_LIMIT=64KB: refused by its Content-Length, or cut while it streams.
    await refused(await echo(open, { href: `${originUrl}/big.txt` }), 'inputs.text.href', /larger than 65536 bytes \(SUBSETD_BODY_LIMIT/);
    await refused(await echo(open, { href: `${originUrl}/big-chunked` }), 'inputs.text.href', /larger than 65536 bytes/);
    const t0 = Date.now();
    await refused(await echo(open, { href: `${originUrl}/hang` }), 'inputs.text.href', /not read within 0\.7 s \(SUBSETD_INPUT_FETCH_TIMEOUT/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(await jobCount(open)).toBe(before);
  });
});

describe("references to this server's own results", () => {
  it('reads an earlier job\'s result file and JSON value locally (no loopback exception needed)', async () => {
    // Job A, asynchronously, results as a document: its report file by reference.
    const a = await svc.json('/processes/test-outputs/execution', post({ inputs: { text: 'output of job A' }, response: 'document' }));
    expect(a.status).toBe(200);
    const reportHref = a.body.report.href as string;
    expect(reportHref.startsWith(`${svc.url}/jobs/`)).toBe(true);
    const b = await echo(svc, { href: reportHref, type: 'text/plain' });
    expect(b.status).toBe(200);
    expect(await b.text()).toBe('output of job A');

    // A JSON value by reference (/jobs/{id}/results/{output}): hello-world's echo is a string.
    const h = await svc.json('/processes/hello-world/execution', post({ inputs: { name: 'Chain' }, outputs: { echo: { transmissionMode: 'reference' } }, response: 'document' }));
    expect(h.status).toBe(200);
    expect(h.body.echo.href).toMatch(/\/results\/echo$/);
    const c = await echo(svc, { href: h.body.echo.href });
    expect(c.status).toBe(200);
    expect(await c.text()).toMatch(/^Hello Chain!/);
  });

  it('refuses a job or file that does not exist', async () => {
    await refused(await echo(svc, { href: `${svc.url}/jobs/no-such-job/files/report.txt` }), 'inputs.text.href', /job "no-such-job" of this server does not exist/);
    const a = await svc.json('/processes/test-outputs/execution', post({ inputs: { text: 'job with files' }, response: 'document' }));
    const other = a.body.report.href.replace(/report\.txt$/, 'other.txt');
    await refused(await echo(svc, { href: other }), 'inputs.text.href', /has no result file "other.txt"/);
  });
});

describe('with access control, another owner\'s results', () => {
  let cluster: AuthCluster;
  beforeAll(async () => {
    cluster = await startAuthCluster('sqlite');
  });
  afterAll(() => cluster?.close());

  it('are refused as if they did not exist; the owner may chain its own', async () => {
    const alice = cluster.token('alice', 'submit');
    const bob = cluster.token('bob', 'submit');
    const url = `${cluster.a.url}/processes/test-outputs/execution`;
    const body = (text: unknown) => JSON.stringify({ inputs: { text }, response: 'document' });
    const headers = (t: string) => ({ ...bearer(t).headers, 'content-type': 'application/json' });
    const a = await fetch(url, { method: 'POST', headers: headers(alice), body: body('alice only') });
    expect(a.status).toBe(200);
    const href = (await a.json()).report.href as string; // signed: ?exp=…&sig=…
    const byBob = await fetch(url, { method: 'POST', headers: headers(bob), body: body({ href }) });
    await refused(byBob, 'inputs.text.href', /does not exist/);
    const byAlice = await fetch(url, { method: 'POST', headers: headers(alice), body: body({ href }) });
    expect(byAlice.status).toBe(200);
    expect((await byAlice.json()).count).toBe('alice only'.length);
  });
});
