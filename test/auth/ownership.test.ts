/**
 * Jobs belong to the token that created them, in SQLite and Redis modes: GET /jobs lists the
 * caller's own (admins: all, or one owner with ?owner=), another owner's job, results and files
 * are a 404 exactly like a missing job, DELETE likewise, and identical requests of two owners
 * never share a job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startAuthCluster, submitInit, waitDone, type AuthCluster, type Mode } from './auth-service.js';

describe.each<Mode>(['sqlite', 'redis'])('job ownership (%s)', (mode) => {
  let c: AuthCluster;
  let alice: string, bob: string, boss: string, aliceRead: string;
  let aliceJob: string, bobJob: string;
  beforeAll(async () => {
    c = await startAuthCluster(mode);
    alice = c.token('alice', 'submit');
    bob = c.token('bob', 'submit');
    boss = c.token('boss', 'admin');
    aliceJob = (await c.a.json('/processes/test-file/execution', submitInit(alice, { text: 'alice' }))).body.jobID;
    bobJob = (await c.a.json('/processes/test-file/execution', submitInit(bob, { text: 'bob' }))).body.jobID;
    await waitDone(c.a, alice, aliceJob);
    await waitDone(c.a, bob, bobJob);
  }, 60_000);
  afterAll(async () => c?.close());

  const ids = (body: any) => body.jobs.map((j: any) => j.jobID).sort();

  it('lists only the caller\'s own jobs; admins see all and may filter by owner', async () => {
    expect(ids((await c.a.json('/jobs', bearer(alice))).body)).toEqual([aliceJob]);
    expect(ids((await c.b.json('/jobs', bearer(bob))).body)).toEqual([bobJob]);
    const all = await c.a.json('/jobs', bearer(boss));
    expect(ids(all.body)).toEqual([aliceJob, bobJob].sort());
    expect(all.body.numberMatched).toBe(2);
    const one = await c.a.json('/jobs?owner=alice', bearer(boss));
    expect(ids(one.body)).toEqual([aliceJob]);
    expect(one.body.links[0].href).toContain('owner=alice');
    // A non-admin's ?owner= is ignored: still only its own jobs, nothing learnt about alice.
    const nosy = await c.a.json('/jobs?owner=alice', bearer(bob));
    expect(ids(nosy.body)).toEqual([bobJob]);
    expect(nosy.body.numberMatched).toBe(1);
  });

  it('another owner\'s job, results and files are 404 noSuchJob, as if missing', async () => {
    const missing = await c.a.json('/jobs/00000000-0000-4000-8000-000000000000', bearer(bob));
    for (const path of [`/jobs/${aliceJob}`, `/jobs/${aliceJob}/results`, `/jobs/${aliceJob}/files/sub/hello.txt`]) {
      const r = await c.a.json(path, bearer(bob));
      expect([path, r.status]).toEqual([path, 404]);
      expect(r.body.type).toBe(missing.body.type);
      expect(r.body.title).toBe(missing.body.title);
    }
    const del = await c.b.json(`/jobs/${aliceJob}`, { ...bearer(bob), method: 'DELETE' });
    expect(del.status).toBe(404);
    expect((await c.a.json(`/jobs/${aliceJob}`, bearer(alice))).body.status).toBe('successful');
    // The owner and admins see it.
    expect((await c.a.json(`/jobs/${aliceJob}/results`, bearer(alice))).status).toBe(200);
    expect((await c.a.json(`/jobs/${aliceJob}`, bearer(boss))).status).toBe(200);
    const file = await fetch(`${c.a.url}/jobs/${aliceJob}/files/sub/hello.txt`, bearer(alice));
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('alice');
  });

  it('identical requests of two owners get a job each; the same owner shares one', async () => {
    const inputs = { text: 'same' };
    const a1 = (await c.a.json('/processes/test-file/execution', submitInit(alice, inputs))).body.jobID;
    const a2 = (await c.b.json('/processes/test-file/execution', submitInit(alice, inputs))).body.jobID;
    const b1 = (await c.a.json('/processes/test-file/execution', submitInit(bob, inputs))).body.jobID;
    expect(a2).toBe(a1);
    expect(b1).not.toBe(a1);
    expect((await c.a.json(`/jobs/${b1}`, bearer(alice))).status).toBe(404);
    await waitDone(c.a, bob, b1);
    expect((await c.a.json(`/jobs/${b1}/results`, bearer(bob))).status).toBe(200);
  });

  it('an owner may dismiss its own job; a read token creates nothing and lists only its own jobs (none)', async () => {
    const j = (await c.a.json('/processes/test-file/execution', submitInit(alice, { text: 'gone', delayMs: 5000 }))).body.jobID;
    const del = await c.b.json(`/jobs/${j}`, { ...bearer(alice), method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(del.body.status).toBe('dismissed');
    aliceRead = c.token('alice-ro', 'read');
    expect((await c.a.json('/processes/test-file/execution', submitInit(aliceRead, { text: 'x' }))).status).toBe(403);
    expect(ids((await c.a.json('/jobs', bearer(aliceRead))).body)).toEqual([]);
  });
});
