// The console's pages and assets as the server delivers them: HTML negotiation on `/` (JSON
// clients unchanged), deep links, base href and API meta from the request's base (direct, behind
// a trusted proxy's X-Forwarded-Prefix, SUBSETD_PUBLIC_URL), security headers, static assets
// (types, caching, compression, 404s, traversal), and a 503 problem when no console is built.
import { get as httpGet, request } from 'node:http';
import { brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../helpers/service.js';
import { baseAndMeta, BROWSER_ACCEPT, bundleWithPublic, type BundleCopy } from './helpers.js';

const JS = `export const big = ${JSON.stringify('x'.repeat(5000))};\n`;
const INDEX = `<!doctype html><html><head><meta charset="utf-8"><base href="/ui/"><meta name="subsetd-api" content="">
<link rel="stylesheet" href="assets/main-ABCD2345.css"><script type="module" src="assets/main-QRST6789.js"></script></head><body></body></html>`;

let bundle: BundleCopy;
let svc: RunningService;
let proxied: RunningService;
let publicUrl: RunningService;

const get = (s: RunningService, path: string, headers: Record<string, string> = {}) => fetch(s.url + path, { headers });

/** A request line exactly as given (fetch would resolve dot segments itself). */
function rawGet(s: RunningService, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d)).on('end', () => resolve({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}

beforeAll(async () => {
  bundle = bundleWithPublic({
    'index.html': INDEX,
    'assets/main-QRST6789.js': JS,
    'assets/main-ABCD2345.css': 'body { color: black; }',
    'assets/countries-110m.json': '{"type":"Topology"}',
    'assets/sub/icon.svg': '<svg xmlns="http://www.w3.org/2000/svg"/>',
    '.hidden': 'secret',
  });
  const cmd = [process.execPath, bundle.cli];
  [svc, proxied, publicUrl] = await Promise.all([
    startService({ SUBSETD_WORKERS: '0' }, undefined, ['serve'], cmd),
    startService({ SUBSETD_WORKERS: '0', SUBSETD_TRUST_PROXY: '1' }, undefined, ['serve'], cmd),
    startService({ SUBSETD_WORKERS: '0', SUBSETD_PUBLIC_URL: 'https://example.org/geo/api' }, undefined, ['serve'], cmd),
  ]);
}, 120_000);

afterAll(() => {
  for (const s of [svc, proxied, publicUrl]) s?.cleanup();
  bundle?.cleanup();
});

describe('GET / negotiation', () => {
  it('a browser gets the console page; JSON clients get the landing page unchanged', async () => {
    const page = await get(svc, '/', { Accept: BROWSER_ACCEPT });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(baseAndMeta(await page.text())).toEqual({ base: '/ui/', api: '' });
    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html', 'text/html;q=0.5, application/json']) {
      const res = await get(svc, '/', accept ? { Accept: accept } : {});
      expect(res.status, String(accept)).toBe(200);
      expect(res.headers.get('content-type'), String(accept)).toMatch(/^application\/json/);
      expect((await res.json()).links.some((l: { rel: string }) => l.rel === 'self'), String(accept)).toBe(true);
    }
    // OGC's f parameter decides on its own.
    expect((await get(svc, '/?f=html')).headers.get('content-type')).toMatch(/^text\/html/);
    expect((await get(svc, '/?f=json', { Accept: BROWSER_ACCEPT })).headers.get('content-type')).toMatch(/^application\/json/);
    // Other documents stay JSON for JSON clients.
    expect((await get(svc, '/processes', { Accept: 'application/json' })).headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('OGC html class: declared; a browser is sent to the console for jobs and processes, other documents are HTML pages', async () => {
    expect((await (await get(svc, '/conformance')).json()).conformsTo).toContain('http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/html');
    const to = async (path: string, s = svc, headers: Record<string, string> = {}) => {
      const r = await fetch(s.url + path, { headers: { Accept: BROWSER_ACCEPT, ...headers }, redirect: 'manual' });
      return { status: r.status, location: r.headers.get('location') };
    };
    expect(await to('/jobs')).toEqual({ status: 303, location: `${svc.url}/ui/jobs` });
    expect(await to('/jobs/abc-123')).toEqual({ status: 303, location: `${svc.url}/ui/jobs/abc-123` });
    expect(await to('/jobs/abc-123/results')).toEqual({ status: 303, location: `${svc.url}/ui/jobs/abc-123` });
    expect(await to('/processes')).toEqual({ status: 303, location: `${svc.url}/ui/new` });
    expect(await to('/processes/hello-world?f=html', svc, { Accept: '*/*' })).toEqual({ status: 303, location: `${svc.url}/ui/new?process=hello-world` });
    expect(await to('/jobs', proxied, { 'X-Forwarded-Prefix': '/api', 'X-Forwarded-Host': 'geo.example', 'X-Forwarded-Proto': 'https' })).toEqual({ status: 303, location: 'https://geo.example/api/ui/jobs' });
    // JSON clients (OWSLib, the ISIMIP client, fetch) are never redirected.
    for (const accept of [undefined, '*/*', 'application/json']) expect((await fetch(`${svc.url}/jobs`, { headers: accept ? { Accept: accept } : {}, redirect: 'manual' })).status).toBe(200);
    const conf = await get(svc, '/conformance', { Accept: BROWSER_ACCEPT });
    expect(conf.status).toBe(200);
    expect(conf.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(conf.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await conf.text();
    expect(html).toContain('<a href="http://www.opengis.net/spec/ogcapi-processes-1/1.0/conf/core">');
    expect(html).not.toMatch(/<script|style=/);
    // Unknown things stay problems, broken escapes too (the fuzzer found a 500 here).
    expect((await get(svc, '/no/such', { Accept: BROWSER_ACCEPT })).status).toBe(404);
    for (const path of ['/jobs/%zz', '/isimip/v2/output/%zz', '/processes/%E0%A4%A']) expect((await get(svc, path, { Accept: BROWSER_ACCEPT })).status, path).toBeLessThan(500);
  });

  it('deep links under /ui/ all answer the page, with the console security headers', async () => {
    for (const path of ['/ui', '/ui/', '/ui/jobs/some-id', '/ui/new/netcdf-subset?x=1']) {
      const res = await get(svc, path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control'), path).toBe('no-cache');
      const csp = res.headers.get('content-security-policy')!;
      for (const d of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob:", "connect-src 'self'", "worker-src 'self' blob:", "object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'"]) expect(csp, path).toContain(d);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      const html = await res.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
      expect(baseAndMeta(html)).toEqual({ base: '/ui/', api: '' });
    }
  });

  it('behind a trusted proxy the page is based on X-Forwarded-Prefix; an untrusted header is ignored', async () => {
    const html = await (await get(proxied, '/ui/jobs/x', { 'X-Forwarded-Prefix': '/api', 'X-Forwarded-Host': 'geo.example', 'X-Forwarded-Proto': 'https' })).text();
    expect(baseAndMeta(html)).toEqual({ base: '/api/ui/', api: '/api' });
    const root = await (await get(proxied, '/', { Accept: BROWSER_ACCEPT, 'X-Forwarded-Prefix': '/api/' })).text();
    expect(baseAndMeta(root)).toEqual({ base: '/api/ui/', api: '/api' });
    // A prefix cannot break out of the attribute.
    const evil = await (await get(proxied, '/ui/', { 'X-Forwarded-Prefix': '/a"><script>alert(1)</script>' })).text();
    expect(evil).not.toContain('<script>alert');
    expect(baseAndMeta(await (await get(svc, '/ui/', { 'X-Forwarded-Prefix': '/api' })).text())).toEqual({ base: '/ui/', api: '' });
    // A forwarded host that is no host name: still a page, not a 500.
    expect((await get(proxied, '/ui/', { 'X-Forwarded-Host': 'a b:c:d' })).status).toBe(200);
  });

  it('with SUBSETD_PUBLIC_URL the page is based on its path', async () => {
    expect(baseAndMeta(await (await get(publicUrl, '/ui/')).text())).toEqual({ base: '/geo/api/ui/', api: '/geo/api' });
  });
});

describe('/ui/assets', () => {
  it('serves built files with their media types; hashed names are immutable, others revalidate', async () => {
    const js = await get(svc, '/ui/assets/main-QRST6789.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await js.text()).toBe(JS);
    const css = await get(svc, '/ui/assets/main-ABCD2345.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const topo = await get(svc, '/ui/assets/countries-110m.json');
    expect(topo.headers.get('content-type')).toBe('application/json');
    expect(topo.headers.get('cache-control')).toBe('no-cache');
    const svg = await get(svc, '/ui/assets/sub/icon.svg');
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    // Revalidation.
    const etag = topo.headers.get('etag')!;
    expect((await get(svc, '/ui/assets/countries-110m.json', { 'If-None-Match': etag })).status).toBe(304);
  });

  it('compresses what compresses, for clients that accept it', async () => {
    const gz = await fetch(`${svc.url}/ui/assets/main-QRST6789.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    // fetch decodes transparently: the header and a smaller transfer are what to check.
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gz.headers.get('vary')).toBe('Accept-Encoding');
    expect(await gz.text()).toBe(JS);
    const raw = await new Promise<{ enc: string | undefined; body: Buffer }>((resolve, reject) => {
      httpGet(`${svc.url}/ui/assets/main-QRST6789.js`, { headers: { 'Accept-Encoding': 'br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d) => chunks.push(d)).on('end', () => resolve({ enc: res.headers['content-encoding'], body: Buffer.concat(chunks) })).on('error', reject);
      }).on('error', reject);
    });
    expect(raw.enc).toBe('br');
    expect(raw.body.length).toBeLessThan(JS.length / 10);
    expect(brotliDecompressSync(raw.body).toString()).toBe(JS);
  });

  it('dot segments sent literally never reach a file outside assets/', async () => {
    for (const path of ['/ui/assets/../index.html', '/ui/assets/../../subsetd.cjs', '/ui/assets/../../../package.json', '/ui/assets/%2e%2e/index.html', '/ui/assets/%2e%2e/%2e%2e/subsetd.cjs']) {
      const res = await rawGet(svc, path);
      // Normalised by the HTTP layer before routing: a console page or a 404, never the file.
      expect([200, 404], path).toContain(res.status);
      expect(res.body, path).not.toMatch(/require\(|"type": "commonjs"|"dependencies"/);
      if (res.status === 200) expect(res.body, path).toContain('<base href="/ui/">');
    }
  });

  it('anything else under /ui/assets is a 404 problem: missing, hidden, encoded tricks', async () => {
    for (const path of ['/ui/assets/nope.js', '/ui/assets/.hidden', '/ui/assets/..%2findex.html', '/ui/assets/sub', '/ui/assets/%2e%2e%2f%2e%2e%2fsubsetd.cjs', '/ui/assets/x%00.js', '/ui/assets/%E0%A4%A']) {
      const res = await get(svc, path);
      expect([400, 404], path).toContain(res.status);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
      expect(await res.text(), path).not.toContain('secret');
    }
  });
});

describe('without a built console', () => {
  let bare: BundleCopy;
  let s: RunningService;
  beforeAll(async () => {
    bare = bundleWithPublic(null);
    s = await startService({ SUBSETD_WORKERS: '0' }, undefined, ['serve'], [process.execPath, bare.cli]);
  }, 60_000);
  afterAll(() => {
    s?.cleanup();
    bare?.cleanup();
  });

  it('HTML requests get a 503 problem; JSON is unaffected', async () => {
    for (const [path, h] of [['/', { Accept: BROWSER_ACCEPT }], ['/ui/', {}], ['/ui/jobs/1', {}]] as const) {
      const res = await get(s, path, h);
      expect(res.status, path).toBe(503);
      const body = await res.json();
      expect(body.title).toBe('Console not built');
    }
    expect((await get(s, '/ui/assets/main.js')).status).toBe(404);
    const json = await get(s, '/');
    expect(json.status).toBe(200);
    expect((await json.json()).title).toBe('subsetd');
  });
});
