// Debian's nginx with the shipped site (port, upstream, results dir and body limit templated, as
// scripts/install.sh does) in front of the single executable.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_PLUGIN, startService, waitForJob, type RunningService } from '../helpers/service.js';
import { unpackRelease, type Release } from './release.js';

const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
let rel: Release;
let svc: RunningService;
let nginx: ChildProcess | undefined;
let base: string;
let nginxDir: string;
const LIMIT = 1024 * 1024; // SUBSETD_BODY_LIMIT=1MB, and the same bytes for client_max_body_size

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

beforeAll(async () => {
  if (!nginxBin) throw new Error('nginx is not installed: run scripts/system-deps.sh test');
  rel = unpackRelease();
  cpSync(FIXTURE_PLUGIN, join(rel.app, 'test-processors.cjs'));
  svc = await startService(
    { SUBSETD_PLUGINS: join(rel.app, 'test-processors.cjs'), SUBSETD_CACHE_DIR: rel.env.SUBSETD_CACHE_DIR, SUBSETD_TRUST_PROXY: '1', SUBSETD_ACCEL_REDIRECT: '/_subsetd_results/', SUBSETD_BODY_LIMIT: String(LIMIT), SUBSETD_LOG_LEVEL: 'info' },
    undefined,
    ['serve'],
    [rel.exe],
    rel.env,
  );
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const site = readFileSync(join(rel.app, 'systemd/nginx/subsetd.conf'), 'utf8')
    .replaceAll('__LISTEN__', `127.0.0.1:${port}`)
    .replaceAll('__UPSTREAM__', new URL(svc.url).host)
    .replaceAll('__RESULTS_DIR__', `${svc.stateDir}/results/`)
    .replaceAll('__BODY_LIMIT__', String(LIMIT));
  expect(site).not.toMatch(/__[A-Z_]+__/);
  nginxDir = join(rel.work, 'nginx');
  mkdirSync(nginxDir);
  // The surrounding http{} block mirrors Debian's /etc/nginx/nginx.conf, with paths of our own
  // (workers as root: the test's state dir is a private temporary directory of root's).
  writeFileSync(
    join(nginxDir, 'nginx.conf'),
    `daemon off; user root; worker_processes 1; pid ${nginxDir}/nginx.pid; error_log ${nginxDir}/error.log;
events { worker_connections 64; }
http { include /etc/nginx/mime.types; default_type application/octet-stream; sendfile on;
  log_format accel '$status $request_uri $sent_http_x_served_by';
  access_log ${nginxDir}/access.log accel;
  client_body_temp_path ${nginxDir}/body; proxy_temp_path ${nginxDir}/proxy;
  fastcgi_temp_path ${nginxDir}/fcgi; uwsgi_temp_path ${nginxDir}/uwsgi; scgi_temp_path ${nginxDir}/scgi;
  ${site} }`,
  );
  const t = spawnSync(nginxBin, ['-t', '-c', join(nginxDir, 'nginx.conf'), '-p', nginxDir], { encoding: 'utf8' });
  expect(t.status, t.stderr).toBe(0);
  nginx = spawn(nginxBin, ['-c', join(nginxDir, 'nginx.conf'), '-p', nginxDir], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (i > 100) throw new Error(`nginx did not come up: ${readFileSync(join(nginxDir, 'error.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);

afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const gone = new Promise((r) => nginx!.once('exit', r));
    nginx.kill('SIGQUIT');
    await gone;
  }
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
    const log = readFileSync(join(nginxDir, 'access.log'), 'utf8');
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
