/**
 * The JobStore contract: every store implementation runs this same suite
 * (like bullmq's adapter-conformance tests). Call it from a *.test.ts file with a factory
 * that returns a fresh, empty store.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobPage, JobRecord, JobStore, ListQuery } from '../../src/stores/job-store.js';
import { tokenContract } from './contract-tokens.js';
import { quotaContract } from './contract-quota.js';
import { consoleContract } from './contract-console.js';

const TTL = 60_000;

export function jobStoreContract(name: string, makeStore: () => Promise<JobStore>) {
  describe(`JobStore contract: ${name}`, () => {
    let store: JobStore;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const newJob = (over: Partial<Parameters<JobStore['create']>[0]> = {}) => ({
      processId: 'sleep',
      inputs: { seconds: 1 },
      maxAttempts: 2,
      ...over,
    });

    it('creates an accepted job and reads it back', async () => {
      const { job, created } = await store.create(newJob({ meta: { a: 1 } }));
      expect(created).toBe(true);
      expect(job.status).toBe('accepted');
      expect(job.attempts).toBe(0);
      const got = await store.get(job.id);
      expect(got).toMatchObject({ id: job.id, processId: 'sleep', inputs: { seconds: 1 }, meta: { a: 1 }, status: 'accepted', progress: 0 });
      expect(await store.get('nope')).toBeNull();
    });

    it('returns the existing job for a caller-chosen id', async () => {
      const a = await store.create(newJob({ id: 'abc123' }));
      const b = await store.create(newJob({ id: 'abc123', inputs: { seconds: 2 } }));
      expect(a.created).toBe(true);
      expect(b.created).toBe(false);
      expect(b.job.id).toBe('abc123');
      expect(b.job.inputs).toEqual({ seconds: 1 });
    });

    it('shares one live job between identical requests, atomically', async () => {
      const results = await Promise.all(Array.from({ length: 10 }, () => store.create(newJob({ dedupKey: 'k1' }))));
      const ids = new Set(results.map((r) => r.job.id));
      expect(ids.size).toBe(1);
      expect(results.filter((r) => r.created)).toHaveLength(1);
    });

    it('does not dedup against failed or dismissed jobs', async () => {
      const a = await store.create(newJob({ dedupKey: 'k2' }));
      await store.dismiss(a.job.id, TTL);
      const b = await store.create(newJob({ dedupKey: 'k2' }));
      expect(b.created).toBe(true);
      expect(b.job.id).not.toBe(a.job.id);
    });

    it('reuses a successful job until it expires', async () => {
      const a = await store.create(newJob({ dedupKey: 'k3' }));
      const claimed = await store.claim('w1', 10_000);
      expect(claimed?.id).toBe(a.job.id);
      expect(await store.finish(a.job.id, 'w1', { status: 'successful', outputs: { x: 1 } }, 50)).toBe(true);
      const again = await store.create(newJob({ dedupKey: 'k3' }));
      expect(again.created).toBe(false);
      await new Promise((r) => setTimeout(r, 80));
      const fresh = await store.create(newJob({ dedupKey: 'k3' }));
      expect(fresh.created).toBe(true);
    });

    it('claims in FIFO order, once each, with a lease', async () => {
      const a = await store.create(newJob());
      const b = await store.create(newJob());
      const [c1, c2, c3] = await Promise.all([store.claim('w1', 5000), store.claim('w2', 5000), store.claim('w3', 5000)]);
      const got = [c1, c2, c3].filter(Boolean).map((j) => j!.id);
      expect(got.sort()).toEqual([a.job.id, b.job.id].sort());
      const first = (await store.get(a.job.id))!;
      expect(first.status).toBe('running');
      expect(first.attempts).toBe(1);
      expect(first.started).not.toBeNull();
      expect(first.lockedUntil).toBeGreaterThan(Date.now());
      expect(await store.claim('w4', 5000)).toBeNull();
    });

    it('heartbeats renew the lease and record progress only for the owner', async () => {
      const { job } = await store.create(newJob());
      await store.claim('w1', 1000);
      expect(await store.heartbeat(job.id, 'w1', 60_000, { percent: 42, message: 'half' })).toBe(true);
      const j = (await store.get(job.id))!;
      expect(j.progress).toBe(42);
      expect(j.message).toBe('half');
      expect(j.lockedUntil).toBeGreaterThan(Date.now() + 30_000);
      expect(await store.heartbeat(job.id, 'intruder', 60_000)).toBe(false);
    });

    it('finishes successful and failed jobs, only for the lease owner', async () => {
      const a = (await store.create(newJob())).job;
      const b = (await store.create(newJob())).job;
      await store.claim('w1', 5000);
      await store.claim('w1', 5000);
      expect(await store.finish(a.id, 'other', { status: 'successful', outputs: {} }, TTL)).toBe(false);
      expect(await store.finish(a.id, 'w1', { status: 'successful', outputs: { echo: 'hi' } }, TTL)).toBe(true);
      expect(await store.finish(b.id, 'w1', { status: 'failed', error: { message: 'boom', retryable: false } }, TTL)).toBe(true);
      const ja = (await store.get(a.id))!;
      const jb = (await store.get(b.id))!;
      expect(ja).toMatchObject({ status: 'successful', outputs: { echo: 'hi' }, progress: 100 });
      expect(ja.finished).not.toBeNull();
      expect(ja.expiresAt).toBeGreaterThan(Date.now());
      expect(jb).toMatchObject({ status: 'failed', error: { message: 'boom', retryable: false } });
      expect(ja.message).toBe('done');
      // Terminal: a second finish is refused.
      expect(await store.finish(a.id, 'w1', { status: 'failed', error: { message: 'x', retryable: false } }, TTL)).toBe(false);
    });

    it('a successful job keeps the message its processor ended with (else "done")', async () => {
      const a = (await store.create(newJob())).job;
      await store.claim('w1', 5000);
      expect(await store.finish(a.id, 'w1', { status: 'successful', outputs: {}, message: 'done: 1 of 1 files from the time-series cache' }, TTL)).toBe(true);
      expect((await store.get(a.id))!.message).toBe('done: 1 of 1 files from the time-series cache');
    });

    it('dismisses queued, running and finished jobs; a dismissed job cannot be finished', async () => {
      const a = (await store.create(newJob())).job;
      await store.claim('w1', 5000);
      const d = await store.dismiss(a.id, TTL);
      expect(d?.status).toBe('dismissed');
      expect(await store.heartbeat(a.id, 'w1', 5000)).toBe(false);
      expect(await store.finish(a.id, 'w1', { status: 'successful', outputs: {} }, TTL)).toBe(false);
      expect((await store.get(a.id))!.status).toBe('dismissed');
      const b = (await store.create(newJob())).job;
      expect((await store.dismiss(b.id, TTL))?.status).toBe('dismissed');
      expect(await store.dismiss('missing', TTL)).toBeNull();
      expect(await store.claim('w1', 5000)).toBeNull();
    });

    it('claims only jobs of the given processes, in order; the others stay queued for a node that serves them', async () => {
      const sleepA = await store.create(newJob({ inputs: { i: 1 } }));
      const hello = await store.create(newJob({ processId: 'hello-world', inputs: { name: 'x' } }));
      const sleepB = await store.create(newJob({ inputs: { i: 2 } }));
      const released = await store.create(newJob({ processId: 'hello-world', inputs: { name: 'y' } }));
      expect(await store.claim('w', 5000, [])).toBeNull();
      expect(await store.claim('w', 5000, ['clip-raster'])).toBeNull();
      expect((await store.claim('w', 5000, ['sleep']))?.id).toBe(sleepA.job.id);
      expect((await store.claim('w', 5000, ['sleep']))?.id).toBe(sleepB.job.id);
      expect(await store.claim('w', 5000, ['sleep'])).toBeNull();
      expect((await store.get(hello.job.id))!.status).toBe('accepted');
      // Released and re-queued work goes back to its process's queue.
      expect((await store.claim('h', 5000, ['hello-world', 'sleep']))?.id).toBe(hello.job.id);
      expect(await store.release(hello.job.id, 'h', 'shutting down')).toBe(true);
      expect(await store.claim('w', 5000, ['sleep'])).toBeNull();
      const got = [(await store.claim('h', 5000, ['hello-world']))?.id, (await store.claim('h', 5000, ['hello-world']))?.id];
      expect(got.sort()).toEqual([hello.job.id, released.job.id].sort());
      // Without a list, every process.
      const any = await store.create(newJob({ processId: 'clip-vector', inputs: { k: 1 } }));
      expect((await store.claim('x', 5000))?.id).toBe(any.job.id);
    });

    it('releases a running job back to the queue without counting the attempt', async () => {
      const { job } = await store.create(newJob());
      await store.claim('w1', 5000);
      expect(await store.release(job.id, 'w1', 'shutting down')).toBe(true);
      const j = (await store.get(job.id))!;
      expect(j).toMatchObject({ status: 'accepted', attempts: 0 });
      expect((await store.claim('w2', 5000))?.id).toBe(job.id);
    });

    it('re-queues stalled jobs up to maxAttempts, then fails them with a message', async () => {
      const { job } = await store.create(newJob({ maxAttempts: 2 }));
      await store.claim('w1', 1);
      await new Promise((r) => setTimeout(r, 10));
      let sweep = await store.sweepStalled(Date.now(), TTL);
      expect(sweep.requeued.map((j) => j.id)).toEqual([job.id]);
      expect((await store.get(job.id))!.status).toBe('accepted');
      expect(await store.heartbeat(job.id, 'w1', 5000)).toBe(false);
      await store.claim('w2', 1);
      await new Promise((r) => setTimeout(r, 10));
      sweep = await store.sweepStalled(Date.now(), TTL);
      expect(sweep.failed.map((j) => j.id)).toEqual([job.id]);
      const j = (await store.get(job.id))!;
      expect(j.status).toBe('failed');
      expect(j.message).toMatch(/2 attempts/);
      expect(j.error?.retryable).toBe(false);
    });

    it('a cutoff beyond every lease reclaims live leases too, with real timestamps', async () => {
      const a = (await store.create(newJob({ maxAttempts: 1 }))).job;
      const b = (await store.create(newJob({ maxAttempts: 2 }))).job;
      await store.claim('w1', 60_000);
      await store.claim('w1', 60_000);
      const t0 = Date.now();
      const sweep = await store.sweepStalled(Number.MAX_SAFE_INTEGER, TTL);
      expect(sweep.failed.map((j) => j.id)).toEqual([a.id]);
      expect(sweep.requeued.map((j) => j.id)).toEqual([b.id]);
      const fa = (await store.get(a.id))!;
      expect(fa.finished).toBeGreaterThanOrEqual(t0);
      expect(fa.finished).toBeLessThan(t0 + 60_000);
      expect(fa.expiresAt).toBeLessThan(t0 + 2 * TTL);
      expect((await store.get(b.id))!.updated).toBeLessThan(t0 + 60_000);
    });

    it('leaves jobs with a live lease alone', async () => {
      await store.create(newJob());
      await store.claim('w1', 60_000);
      const sweep = await store.sweepStalled(Date.now(), TTL);
      expect(sweep.requeued).toHaveLength(0);
      expect(sweep.failed).toHaveLength(0);
    });

    it('purges expired jobs and reports their ids', async () => {
      const a = (await store.create(newJob())).job;
      const b = (await store.create(newJob())).job;
      await store.dismiss(a.id, 1);
      await new Promise((r) => setTimeout(r, 10));
      const ids = await store.purgeExpired(Date.now());
      expect(ids).toEqual([a.id]);
      expect(await store.get(a.id)).toBeNull();
      expect(await store.get(b.id)).not.toBeNull();
    });

    it('lists with filters, newest first, with a total for paging', async () => {
      for (let i = 0; i < 5; i++) await store.create(newJob({ processId: i % 2 ? 'hello-world' : 'sleep', inputs: { i } }));
      const all = await store.list({ limit: 2, offset: 0 });
      expect(all.total).toBe(5);
      expect(all.jobs).toHaveLength(2);
      expect((await store.get(all.jobs[0].id))!.inputs).toEqual({ i: 4 });
      expect(all.jobs[0]).not.toHaveProperty('inputs');
      const page3 = await store.list({ limit: 2, offset: 4 });
      expect(page3.jobs).toHaveLength(1);
      const hello = await store.list({ processId: ['hello-world'], limit: 10, offset: 0 });
      expect(hello.total).toBe(2);
      await store.claim('w', 5000);
      const running = await store.list({ status: ['running'], limit: 10, offset: 0 });
      expect(running.total).toBe(1);
    });

    // 23 jobs in pages of 4, and 450 in pages of 40 (past the Redis walk's 200-job batches).
    it.each([[23, 4], [450, 40]])('pages by cursor: next and before walk every filtered list exactly once, with exact counts (%i jobs)', async (n, size) => {
      const made: JobRecord[] = [];
      const procs = ['sleep', 'hello-world', 'netcdf-subset'];
      for (let i = 0; i < n; i++) {
        made.push((await store.create(newJob({ processId: procs[i % 3], owner: i % 4 ? 'alice' : 'bob', inputs: { i } }))).job);
      }
      // Some jobs move on, so status filters select a scattered subset.
      for (let i = 0; i < n / 4; i++) await store.claim('w', 60_000);
      for (const j of made.filter((_, i) => i % 5 === 0)) await store.dismiss(j.id, 60_000);
      const now = await Promise.all(made.map((j) => store.get(j.id)));
      const shapes: Array<Partial<ListQuery>> = [
        {},
        { status: ['accepted'] },
        { status: ['dismissed', 'running'] },
        { processId: ['sleep'] },
        { processId: ['sleep', 'netcdf-subset'], status: ['accepted', 'dismissed'] },
        { owner: 'alice' },
        { owner: 'alice', status: ['accepted'] },
        { owner: 'alice', processId: ['hello-world'] },
        { owner: 'bob', processId: ['sleep', 'hello-world'], status: ['accepted', 'running', 'dismissed'] },
      ];
      for (const f of shapes) {
        const want = now
          .filter((j) => (!f.status || f.status.includes(j!.status)) && (!f.processId || f.processId.includes(j!.processId)) && (!f.owner || j!.owner === f.owner))
          .reverse()
          .map((j) => j!.id);
        const seen: string[] = [];
        const pages: JobPage[] = [];
        let page = await store.list({ ...f, limit: size, offset: 0 });
        for (;;) {
          expect(page.total, JSON.stringify(f)).toBe(want.length);
          pages.push(page);
          seen.push(...page.jobs.map((j) => j.id));
          if (!page.next) break;
          page = await store.list({ ...f, limit: size, offset: 0, after: page.next });
        }
        expect(seen, JSON.stringify(f)).toEqual(want);
        // Back from the last page: each `before` page is the page that came before it.
        for (let i = pages.length - 1; i > 0; i--) {
          const back = await store.list({ ...f, limit: size, offset: 0, before: pages[i].first! });
          expect(back.jobs.map((j) => j.id), JSON.stringify(f)).toEqual(pages[i - 1].jobs.map((j) => j.id));
          expect(back.newer).toBe(i - 1 > 0);
        }
        // Offset paging still works, after a cursor too.
        expect((await store.list({ ...f, limit: 3, offset: 2 })).jobs.map((j) => j.id)).toEqual(want.slice(2, 5));
        if (pages.length > 1) expect((await store.list({ ...f, limit: 2, offset: 1, after: pages[0].next! })).jobs.map((j) => j.id)).toEqual(want.slice(size + 1, size + 3));
      }
      // Counts follow purges.
      for (const j of made) await store.dismiss(j.id, 1);
      await store.purgeExpired(Date.now() + 120_000);
      const empty = await store.list({ limit: size, offset: 0 });
      expect([empty.total, empty.jobs.length, empty.next]).toEqual([0, 0, null]);
      expect((await store.list({ owner: 'alice', status: ['dismissed'], limit: size, offset: 0 })).total).toBe(0);
    });

    it('records the owner and lists by owner', async () => {
      const a = (await store.create(newJob({ owner: 'alice', inputs: { i: 1 } }))).job;
      await store.create(newJob({ owner: 'bob', inputs: { i: 2 } }));
      const c = (await store.create(newJob({ owner: 'alice', processId: 'hello-world', inputs: { i: 3 } }))).job;
      const anon = (await store.create(newJob({ inputs: { i: 4 } }))).job;
      expect(a.owner).toBe('alice');
      expect(anon.owner).toBeNull();
      expect((await store.get(c.id))!.owner).toBe('alice');
      const mine = await store.list({ owner: 'alice', limit: 10, offset: 0 });
      expect(mine.total).toBe(2);
      expect(mine.jobs.map((j) => j.id)).toEqual([c.id, a.id]);
      const mineHello = await store.list({ owner: 'alice', processId: ['hello-world'], status: ['accepted'], limit: 10, offset: 0 });
      expect(mineHello.jobs.map((j) => j.id)).toEqual([c.id]);
      expect((await store.list({ owner: 'nobody', limit: 10, offset: 0 })).total).toBe(0);
      expect((await store.list({ limit: 10, offset: 0 })).total).toBe(4);
      await store.dismiss(a.id, 1);
      await new Promise((r) => setTimeout(r, 10));
      await store.purgeExpired(Date.now());
      expect((await store.list({ owner: 'alice', limit: 10, offset: 0 })).total).toBe(1);
    });

    it('wakes a waiting worker when work arrives', async () => {
      const t0 = Date.now();
      const waiting = store.waitForWork(5000);
      setTimeout(() => void store.create(newJob()), 50);
      await waiting;
      expect(Date.now() - t0).toBeLessThan(2000);
    });

    it('locks are exclusive until released or expired', async () => {
      expect(await store.tryLock('pkg:DEU:ds1', 'a', 60_000)).toBe(true);
      expect(await store.tryLock('pkg:DEU:ds1', 'b', 60_000)).toBe(false);
      await store.unlock('pkg:DEU:ds1', 'b'); // not the owner: no effect
      expect(await store.tryLock('pkg:DEU:ds1', 'b', 60_000)).toBe(false);
      await store.unlock('pkg:DEU:ds1', 'a');
      expect(await store.tryLock('pkg:DEU:ds1', 'b', 20)).toBe(true);
      await new Promise((r) => setTimeout(r, 40));
      const racers = await Promise.all(['c', 'd', 'e'].map((o) => store.tryLock('pkg:DEU:ds1', o, 60_000)));
      expect(racers.filter(Boolean)).toHaveLength(1);
    });

    it('a lock is renewed by its owner only, and lost once it expires unrenewed (ts-cache build lock)', async () => {
      const name = 'ts-cache:/data/a.nc';
      expect(await store.tryLock(name, 'node-a', 80)).toBe(true);
      // Renewal: the owner takes it again before it expires, for longer; others still cannot.
      await new Promise((r) => setTimeout(r, 40));
      expect(await store.tryLock(name, 'node-a', 60_000)).toBe(true);
      await new Promise((r) => setTimeout(r, 80));
      expect(await store.tryLock(name, 'node-b', 60_000)).toBe(false);
      await store.unlock(name, 'node-a');
      // Not renewed: another node takes it after the TTL, and the first owner's late renewal fails.
      expect(await store.tryLock(name, 'node-a', 30)).toBe(true);
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.tryLock(name, 'node-b', 60_000)).toBe(true);
      expect(await store.tryLock(name, 'node-a', 60_000)).toBe(false);
      await store.unlock(name, 'node-a'); // no longer its owner: no effect
      expect(await store.tryLock(name, 'node-c', 60_000)).toBe(false);
      // Locks of different files are independent.
      expect(await store.tryLock('ts-cache:/data/b.nc', 'node-a', 60_000)).toBe(true);
    });

    it('registers live nodes and forgets them when their announcement expires', async () => {
      const busy = [{ slot: 0, state: 'busy' as const, jobId: 'j1', processId: 'sleep', lastHeartbeatMsAgo: 12 }, { slot: 1, state: 'idle' as const }];
      const t0 = Date.now();
      await store.announce('node-a', { marker: 'marker-a', workers: busy, processes: ['hello-world', 'sleep'] }, 60_000);
      await store.announce('node-b', { marker: 'marker-b', workers: [], processes: [] }, 30);
      const both = (await store.nodes()).sort((x, y) => x.nodeId.localeCompare(y.nodeId));
      expect(both).toMatchObject([
        { nodeId: 'node-a', marker: 'marker-a', workers: busy, processes: ['hello-world', 'sleep'] },
        { nodeId: 'node-b', marker: 'marker-b', workers: [], processes: [] },
      ]);
      expect(both[0].announced).toBeGreaterThanOrEqual(t0);
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.nodes()).toMatchObject([{ nodeId: 'node-a', marker: 'marker-a' }]);
      await store.announce('node-a', { marker: 'marker-a2', workers: [] }, 60_000);
      expect(await store.nodes()).toMatchObject([{ nodeId: 'node-a', marker: 'marker-a2', workers: [] }]);
    });

    consoleContract(() => store);

    tokenContract(() => store);

    it('answers ping when writable', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    quotaContract(() => store);
  });
}
