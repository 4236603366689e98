// The console through Debian's nginx with the shipped site under /api/: once with
// SUBSETD_TRUST_PROXY=1 (prefix from X-Forwarded-Prefix), once with SUBSETD_PUBLIC_URL. A browser's
// request for /api/ gets the page based at /api/ui/, every asset it names loads, and the API calls
// the console makes answer 200 through the proxy. (CONSOLE-UI drives a real browser through it.)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain JS script without types
import { makeIsimipLike } from '../../scripts/make-netcdf-fixtures.mjs';
import { freePort, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { startService, type RunningService } from '../helpers/service.js';
import { baseAndMeta, BROWSER_ACCEPT } from './helpers.js';

const NC = 'tas_2deg.nc';

interface Setup {
  svc: RunningService;
  nginx: RunningNginx;
}

async function setup(env: (nginxBase: string) => Record<string, string>): Promise<Setup> {
  const port = await freePort();
  const svc = await startService({ SUBSETD_WORKERS: '1', ...env(`http://127.0.0.1:${port}`) });
  const data = join(svc.stateDir, 'data');
  mkdirSync(data, { recursive: true });
  makeIsimipLike({ file: join(data, NC), kind: 'nc3', res: 2, nt: 2 });
  const nginx = await startNginx({ upstream: new URL(svc.url).host, resultsDir: join(svc.stateDir, 'results'), port });
  return { svc, nginx };
}

const setups: Record<string, Setup> = {};

beforeAll(async () => {
  setups.trustProxy = await setup(() => ({ SUBSETD_TRUST_PROXY: '1' }));
  setups.publicUrl = await setup((base) => ({ SUBSETD_PUBLIC_URL: `${base}/api` }));
}, 120_000);

afterAll(async () => {
  for (const s of Object.values(setups)) {
    await s.nginx.stop();
    s.svc.cleanup();
  }
});

for (const mode of ['trustProxy', 'publicUrl'] as const)
  describe(`the console behind nginx under /api/ (${mode === 'trustProxy' ? 'SUBSETD_TRUST_PROXY=1' : 'SUBSETD_PUBLIC_URL'})`, () => {
    it('a browser asking for /api/ gets the page based at /api/ui/, and every asset it names loads', async () => {
      const { base } = setups[mode].nginx;
      const res = await fetch(`${base}/api/`, { headers: { Accept: BROWSER_ACCEPT } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await res.text();
      expect(baseAndMeta(html)).toEqual({ base: '/api/ui/', api: '/api' });
      const pageBase = new URL('/api/ui/', base);
      const refs = [...html.matchAll(/<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((u) => !u.startsWith('data:'));
      expect(refs.length).toBeGreaterThanOrEqual(2);
      for (const ref of refs) {
        const url = new URL(ref, pageBase);
        expect(url.origin, ref).toBe(base);
        expect(url.pathname.startsWith('/api/ui/assets/'), ref).toBe(true);
        const a = await fetch(url);
        expect(a.status, ref).toBe(200);
        expect(a.headers.get('content-type'), ref).toMatch(/^(text\/javascript|text\/css)/);
        expect(a.headers.get('cache-control'), ref).toContain('immutable');
        await a.arrayBuffer();
      }
      // The basemap the console draws.
      const topo = await fetch(new URL('assets/countries-110m.json', pageBase));
      expect(topo.status).toBe(200);
      expect((await topo.json()).type).toBe('Topology');
    });

    it('deep links reload through the proxy; JSON clients of /api/ are unchanged', async () => {
      const { base } = setups[mode].nginx;
      const deep = await fetch(`${base}/api/ui/jobs/some-id`);
      expect(deep.status).toBe(200);
      expect(baseAndMeta(await deep.text()).base).toBe('/api/ui/');
      const landing = await (await fetch(`${base}/api/`)).json();
      for (const l of landing.links) expect(l.href.startsWith(`${base}/api/`), l.href).toBe(true);
    });

    it('the API calls the console makes answer 200 through the proxy', async () => {
      const { base } = setups[mode].nginx;
      const api = `${base}/api`;
      for (const path of ['/processes', '/processes/netcdf-subset', '/jobs?limit=20', '/data', `/data/info?path=${NC}`, '/boundaries?q=germ', '/openapi.json', '/conformance']) {
        const r = await fetch(api + path, { headers: { Accept: 'application/json' } });
        expect(r.status, path).toBe(200);
        await r.arrayBuffer();
      }
      const preview = await fetch(`${api}/preview/mask`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Subsetd-Request': '1' }, body: JSON.stringify({ path: NC, region: { country: 'DEU' } }) });
      expect(preview.status).toBe(200);
      expect((await preview.json()).cells).toBeGreaterThan(0);
      const exec = await fetch(`${api}/processes/hello-world/execution`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Subsetd-Request': '1' }, body: JSON.stringify({ inputs: { name: 'console' } }) });
      expect(exec.status).toBe(200);
      // The listing's own links point through the proxy too.
      const list = await (await fetch(`${api}/data`)).json();
      expect(list.links[0].href).toBe(`${base}/api/data?path=`);
    });
  });
