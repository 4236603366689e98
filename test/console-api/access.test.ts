/**
 * Visibility of the console's job API with SUBSETD_AUTH=tokens (real tokens from the CLI):
 * a token's event stream carries only its own jobs, an admin's carries everyone's; another
 * owner's job log is a 404; /admin/stats needs admin scope.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthCluster, submitInit, waitDone, type AuthCluster } from '../auth/auth-service.js';
import { openEvents } from './sse.js';

let c: AuthCluster;
let alice: string;
let bob: string;
let admin: string;
beforeAll(async () => {
  c = await startAuthCluster('sqlite');
  alice = c.token('alice', 'submit');
  bob = c.token('bob', 'submit');
  admin = c.token('root', 'admin');
});
afterAll(async () => {
  await c?.close();
});

const submit = async (token: string, name: string) => {
  const r = await c.a.json('/processes/hello-world/execution', submitInit(token, { name }));
  expect(r.status).toBe(201);
  return r.body.jobID as string;
};

describe('console job API with access control', () => {
  it("a token's event stream shows its own jobs only; an admin's shows all", async () => {
    const mine = await openEvents(`${c.a.url}/jobs/events`, bearer(alice));
    const all = await openEvents(`${c.a.url}/jobs/events`, bearer(admin));
    try {
      const b = await submit(bob, 'Bob');
      const a = await submit(alice, 'Alice');
      await mine.next((e) => e.data.jobID === a && e.data.status === 'successful');
      await all.next((e) => e.data.jobID === a && e.data.status === 'successful');
      await all.next((e) => e.data.jobID === b && e.data.status === 'successful');
      expect(mine.events.some((e) => e.data.jobID === b)).toBe(false);
    } finally {
      mine.close();
      all.close();
    }
    expect((await c.a.json('/jobs/events')).status).toBe(401);
  });

  it("another owner's job log is a 404; the owner and an admin read it", async () => {
    const a = await submit(alice, 'Alice log');
    await waitDone(c.a, alice, a);
    expect((await c.a.json(`/jobs/${a}/log`, bearer(alice))).body.lines.length).toBeGreaterThan(0);
    expect((await c.a.json(`/jobs/${a}/log`, bearer(admin))).status).toBe(200);
    const other = await c.a.json(`/jobs/${a}/log`, bearer(bob));
    expect(other.status).toBe(404);
  });

  it('/admin/stats needs admin scope', async () => {
    expect((await c.a.json('/admin/stats', bearer(alice))).status).toBe(403);
    expect((await c.a.json('/admin/stats')).status).toBe(401);
    expect((await c.a.json('/admin/stats', bearer(admin))).status).toBe(200);
  });
});
