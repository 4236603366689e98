// Debian's nginx with the shipped site (port, upstream, results dir and body limit templated, as
// scripts/install.sh does) in front of the single executable.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNginx, type RunningNginx } from '../helpers/nginx.js';
import { FIXTURE_PLUGIN, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { unpackRelease, type Release } from './release.js';

let rel: Release;
let svc: RunningService;
let nginx: RunningNginx | undefined;
let base: string;
const LIMIT = 1024 * 1024; // SUBSETD_BODY_LIMIT=1MB, and the same bytes for client_max_body_size

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

beforeAll(async () => {
  rel = unpackRelease();
  cpSync(FIXTURE_PLUGIN, join(rel.app, 'test-processors.cjs'));
  svc = await startService(
    { SUBSETD_PLUGINS: join(rel.app, 'test-processors.cjs'), SUBSETD_CACHE_DIR: rel.env.SUBSETD_CACHE_DIR, SUBSETD_TRUST_PROXY: '1', SUBSETD_ACCEL_REDIRECT: '/_subsetd_results/', SUBSETD_BODY_LIMIT: String(LIMIT), SUBSETD_LOG_LEVEL: 'info' },
    undefined,
    ['serve'],
    [rel.exe],
    rel.env,
  );
  // The site as the release ships it; the log tells what nginx served itself (X-Served-By).
  nginx = await startNginx({
    upstream: new URL(svc.url).host,
    resultsDir: `${svc.stateDir}/results`,
    bodyLimit: LIMIT,
    site: join(rel.app, 'systemd/nginx/subsetd.conf'),
    logFormat: '$status $request_uri $sent_http_x_served_by',
  });
  base = nginx.base;
}, 180_000);

afterAll(async () => {
  await nginx?.stop();
  svc?.cleanup();
  if (rel) rmSync(rel.work, { recursive: true, force: true });
});

describe('behind nginx under /api/', () => {
  it('landing-page links carry the public prefix', async () => {
    const res = await fetch(`${base}/api/`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.links.length).toBeGreaterThan(3);
    for (const l of body.links) expect(l.href.startsWith(`${base}/api/`), l.href).toBe(true);
    // /api without its slash is sent to /api/.
    const bare = await fetch(`${base}/api`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(new URL(bare.headers.get('location')!, base).pathname).toBe('/api/');
  });

  it("an async job's Location points through the proxy", async () => {
    const res = await post('/api/processes/hello-world/execution', { inputs: { name: 'nginx' } }, { prefer: 'respond-async' });
    expect(res.status).toBe(201);
    const job = await res.json();
    expect(res.headers.get('location')).toBe(`${base}/api/jobs/${job.jobID}`);
    await waitForJob(svc, job.jobID);
    const status = await (await fetch(res.headers.get('location')!)).json();
    expect(status.status).toBe('successful');
  });

  it('a result download is served by nginx from the X-Accel-Redirect location, after subsetd checked the job', async () => {
    const res = await post('/api/processes/test-file/execution', { inputs: { text: 'served by nginx itself' } }, { prefer: 'respond-async' });
    const job = await res.json();
    await waitForJob(svc, job.jobID);
    const results = await (await fetch(`${base}/api/jobs/${job.jobID}/results`)).json();
    expect(results.out.href).toBe(`${base}/api/jobs/${job.jobID}/files/sub/hello.txt`);
    const dl = await fetch(results.out.href);
    expect(dl.status).toBe(200);
    expect(await dl.text()).toBe('served by nginx itself');
    // nginx's internal location marks what it served; subsetd logged the redirect, not a file.
    expect(dl.headers.get('x-served-by')).toBe('nginx-accel');
    expect(dl.headers.get('x-accel-redirect')).toBeNull();
    const part = await fetch(results.out.href, { headers: { Range: 'bytes=10-14' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('nginx');
    // Only through subsetd: the internal location itself is not reachable from outside.
    expect((await fetch(`${base}/_subsetd_results/${job.jobID}/sub/hello.txt`)).status).toBe(404);
    // subsetd still checks the job: an unknown one is its 404 problem, not a file.
    const unknown = await fetch(`${base}/api/jobs/nope/files/sub/hello.txt`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-served-by')).toBeNull();
    const log = nginx!.accessLog();
    expect(log).toContain(`200 /api/jobs/${job.jobID}/files/sub/hello.txt nginx-accel`);
  });

  it('rejects an upload above the limit with 413 at nginx, and passes one just below', async () => {
    const big = await post('/api/processes/hello-world/execution', { inputs: { name: 'x'.repeat(LIMIT + 1) } });
    expect(big.status).toBe(413);
    // nginx's own answer (HTML), so the body never reached subsetd.
    expect(big.headers.get('content-type')).toMatch(/text\/html/);
    const ok = await post('/api/processes/hello-world/execution', { inputs: { name: 'y'.repeat(LIMIT - 100) } });
    expect(ok.status).toBe(200);
  });
});
