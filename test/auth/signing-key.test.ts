/**
 * Without SUBSETD_SIGNING_KEY the link key is generated once: SQLite mode keeps it in
 * <state dir>/signing.key (mode 0600) and links survive a restart; Redis mode keeps it in Redis,
 * so a link one node signed works on another.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer, startAuthCluster, submitInit, waitDone, type AuthCluster } from './auth-service.js';

async function signedHref(c: AuthCluster, token: string): Promise<string> {
  const id = (await c.a.json('/processes/test-file/execution', submitInit(token, { text: 'key' }))).body.jobID;
  await waitDone(c.a, token, id);
  return (await c.a.json(`/jobs/${id}/results`, bearer(token))).body.out.href;
}

const pathOf = (href: string) => {
  const u = new URL(href);
  return u.pathname + u.search;
};

describe('generated signing key', () => {
  const clusters: AuthCluster[] = [];
  afterAll(async () => {
    for (const c of clusters) await c.close();
  });

  it('SQLite: generated once into the state dir, mode 0600, links valid after a restart', async () => {
    const c = await startAuthCluster('sqlite', { SUBSETD_SIGNING_KEY: '' });
    clusters.push(c);
    const token = c.token('alice', 'submit');
    const link = pathOf(await signedHref(c, token));
    const st = statSync(join(c.a.stateDir, 'signing.key'));
    expect(st.mode & 0o777).toBe(0o600);
    expect((await c.a.json(link)).status).toBe(200);
    const again = await c.a.restart();
    c.a = c.b = again;
    expect((await again.json(link)).status).toBe(200);
  }, 60_000);

  it('Redis: stored once in Redis, every node verifies the other\'s links', async () => {
    const c = await startAuthCluster('redis', { SUBSETD_SIGNING_KEY: '' });
    clusters.push(c);
    const token = c.token('alice', 'submit');
    const link = pathOf(await signedHref(c, token));
    expect((await c.b.json(link)).status).toBe(200);
    expect((await c.a.json(link)).status).toBe(200);
  }, 60_000);
});
