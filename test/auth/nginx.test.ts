/**
 * Debian's nginx with the shipped site in front of subsetd with SUBSETD_AUTH=tokens: signed
 * result links go through the /api/ prefix and are still served by nginx itself
 * (X-Accel-Redirect) without any header, a tampered one is refused by subsetd; and the
 * documented auth_request snippet guards a location of nginx's own with subsetd's tokens.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNginx, type RunningNginx } from '../helpers/nginx.js';
import { bearer, startAuthCluster, submitInit, waitDone, type AuthCluster } from './auth-service.js';

let c: AuthCluster;
let nginx: RunningNginx | undefined;
let base: string;

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
  c = await startAuthCluster('sqlite', { SUBSETD_TRUST_PROXY: '1', SUBSETD_ACCEL_REDIRECT: '/_subsetd_results/' });
  const mirror = join(c.a.stateDir, 'mirror');
  mkdirSync(mirror, { recursive: true });
  writeFileSync(join(mirror, 'readme.txt'), 'mirrored\n');
  const upstream = new URL(c.a.url).host;
  nginx = await startNginx({ upstream, resultsDir: `${c.a.stateDir}/results`, bodyLimit: '1m', extra: guarded(upstream, mirror) });
  base = nginx.base;
}, 120_000);

afterAll(async () => {
  await nginx?.stop();
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
