/**
 * Debian's nginx with the shipped site in front of subsetd with SUBSETD_AUTH=tokens: signed
 * result links go through the /api/ prefix and are still served by nginx itself
 * (X-Accel-Redirect) without any header, a tampered one is refused by subsetd; and the
 * documented auth_request snippet guards a location of nginx's own with subsetd's tokens.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/service.js';
import { bearer, startAuthCluster, submitInit, waitDone, type AuthCluster } from './auth-service.js';

const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
let c: AuthCluster;
let nginx: ChildProcess | undefined;
let base: string;
let dir: string;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The auth_request snippet of docs/deploy.md, guarding a folder nginx serves itself. */
const guarded = (upstream: string, mirror: string) => `
    location /mirror/ {
        auth_request /_subsetd_auth;
        alias ${mirror}/;
    }
    location /admin-only/ {
        auth_request /_subsetd_auth_admin;
        alias ${mirror}/;
    }
    location = /_subsetd_auth {
        internal;
        proxy_pass http://${upstream}/auth/check;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Original-URI $request_uri;
        proxy_set_header X-Original-Method $request_method;
    }
    location = /_subsetd_auth_admin {
        internal;
        proxy_pass http://${upstream}/auth/check;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header X-Original-URI /admin/;
        proxy_set_header X-Original-Method $request_method;
    }
`;

beforeAll(async () => {
  if (!nginxBin) throw new Error('nginx is not installed: run scripts/system-deps.sh test');
  c = await startAuthCluster('sqlite', { SUBSETD_TRUST_PROXY: '1', SUBSETD_ACCEL_REDIRECT: '/_subsetd_results/' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  dir = join(c.a.stateDir, 'nginx');
  const mirror = join(c.a.stateDir, 'mirror');
  mkdirSync(mirror, { recursive: true });
  writeFileSync(join(mirror, 'readme.txt'), 'mirrored\n');
  const upstream = new URL(c.a.url).host;
  const site = readFileSync(join(ROOT, 'systemd/nginx/subsetd.conf'), 'utf8')
    .replaceAll('__LISTEN__', `127.0.0.1:${port}`)
    .replaceAll('__UPSTREAM__', upstream)
    .replaceAll('__RESULTS_DIR__', `${c.a.stateDir}/results/`)
    .replaceAll('__BODY_LIMIT__', '1m')
    .replace(/\}\s*$/, `${guarded(upstream, mirror)}}\n`);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off; user root; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http { include /etc/nginx/mime.types; default_type application/octet-stream; sendfile on;
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${site} }`,
  );
  const t = spawnSync(nginxBin, ['-t', '-c', join(dir, 'nginx.conf'), '-p', dir], { encoding: 'utf8' });
  expect(t.status, t.stderr).toBe(0);
  nginx = spawn(nginxBin, ['-c', join(dir, 'nginx.conf'), '-p', dir], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (i > 100) throw new Error(`nginx did not come up: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);

afterAll(async () => {
  if (nginx && nginx.exitCode === null) {
    const gone = new Promise((r) => nginx!.once('exit', r));
    nginx.kill('SIGQUIT');
    await gone;
  }
  await c?.close();
});

describe('tokens behind nginx', () => {
  it('a signed link through /api/ is served by nginx from X-Accel-Redirect without a header; a tampered one is 403', async () => {
    const alice = c.token('alice', 'submit');
    const made = await fetch(`${base}/api/processes/test-file/execution`, submitInit(alice, { text: 'nginx sent this' }));
    expect(made.status).toBe(201);
    const job = await made.json();
    await waitDone(c.a, alice, job.jobID);
    const results = await (await fetch(`${base}/api/jobs/${job.jobID}/results`, bearer(alice))).json();
    const href: string = results.out.href;
    expect(href.startsWith(`${base}/api/jobs/${job.jobID}/files/sub/hello.txt?exp=`)).toBe(true);
    const dl = await fetch(href);
    expect(dl.status).toBe(200);
    expect(await dl.text()).toBe('nginx sent this');
    expect(dl.headers.get('x-served-by')).toBe('nginx-accel');
    const part = await fetch(href, { headers: { Range: 'bytes=0-4' } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe('nginx');
    const bad = await fetch(href.replace(/sig=[0-9a-f]/, (m) => (m.endsWith('0') ? 'sig=1' : 'sig=0')));
    expect(bad.status).toBe(403);
    expect(bad.headers.get('x-served-by')).toBeNull();
    expect((await fetch(href.split('?')[0])).status).toBe(401);
  });

  it('auth_request guards a location of nginx with subsetd tokens: 401 / 403 / 200', async () => {
    const reader = c.token('reader', 'read');
    const boss = c.token('boss', 'admin');
    expect((await fetch(`${base}/mirror/readme.txt`)).status).toBe(401);
    expect((await fetch(`${base}/mirror/readme.txt`, bearer('sdt_forged'))).status).toBe(401);
    const ok = await fetch(`${base}/mirror/readme.txt`, bearer(reader));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('mirrored\n');
    expect((await fetch(`${base}/admin-only/readme.txt`, bearer(reader))).status).toBe(403);
    expect((await fetch(`${base}/admin-only/readme.txt`, bearer(boss))).status).toBe(200);
    c.cli(['tokens', 'revoke', 'reader']);
    expect((await fetch(`${base}/mirror/readme.txt`, bearer(reader))).status).toBe(401);
  });
});
