/**
 * The JobStore contract for per-owner limits and fair claiming (run from contract.ts, so every
 * store implementation gets it): limits are checked with the insert, joins do not count, the
 * hourly window survives dismissal and purge, and claims take owners in turn.
 */
import { describe, expect, it } from 'vitest';
import { QuotaExceededError, type JobStore, type NewJob, type OwnerLimits } from '../../src/stores/job-store.js';

const TTL = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const none: OwnerLimits = { maxQueued: null, maxJobsPerHour: null };

export function quotaContract(store: () => JobStore) {
  let n = 0;
  const job = (owner: string | null, limits?: Partial<OwnerLimits>, over: Partial<NewJob> = {}): NewJob => ({
    processId: 'sleep',
    inputs: { i: n++ },
    maxAttempts: 2,
    owner,
    ...(limits ? { limits: { ...none, ...limits } } : {}),
    ...over,
  });
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => null,
      (e: unknown) => {
        if (e instanceof QuotaExceededError) return e;
        throw e;
      },
    );

  describe('per-owner limits', () => {
    it('max queued counts accepted + running jobs of that owner only', async () => {
      const s = store();
      const a1 = (await s.create(job('a', { maxQueued: 2 }))).job;
      await s.create(job('a', { maxQueued: 2 }));
      const e = await refusal(s.create(job('a', { maxQueued: 2 })));
      expect(e).toMatchObject({ limit: 'max-queued', value: 2 });
      expect(e!.retryAfterMs).toBeNull();
      expect((await s.create(job('b', { maxQueued: 2 }))).created).toBe(true);
      expect((await s.create(job(null, { maxQueued: 2 }))).created).toBe(true);
      expect((await s.list({ owner: 'a', limit: 10, offset: 0 })).total).toBe(2);
      // Running still counts; a finished or dismissed job frees its place.
      const claimed = await s.claim('w', 5000);
      expect(claimed?.id).toBe(a1.id);
      expect(await refusal(s.create(job('a', { maxQueued: 2 })))).not.toBeNull();
      await s.finish(a1.id, 'w', { status: 'successful', outputs: {} }, TTL);
      expect((await s.create(job('a', { maxQueued: 2 }))).created).toBe(true);
      expect(await refusal(s.create(job('a', { maxQueued: 2 })))).not.toBeNull();
      const queued = await s.list({ owner: 'a', status: ['accepted'], limit: 1, offset: 0 });
      await s.dismiss(queued.jobs[0].id, TTL);
      expect((await s.create(job('a', { maxQueued: 2 }))).created).toBe(true);
    });

    it('a request that joins a live job of its own is not counted', async () => {
      const s = store();
      const lim = { maxQueued: 1, maxJobsPerHour: 1 };
      const a = (await s.create(job('a', lim, { dedupKey: 'same', id: 'fixed-id' }))).job;
      const again = await s.create(job('a', lim, { dedupKey: 'same' }));
      expect(again).toMatchObject({ created: false, job: { id: a.id } });
      expect((await s.create(job('a', lim, { id: 'fixed-id' }))).created).toBe(false);
      expect(await refusal(s.create(job('a', lim)))).toMatchObject({ limit: 'max-jobs-per-hour', value: 1 });
    });

    it('concurrent creates never pass the limit', async () => {
      const s = store();
      const all = await Promise.all(Array.from({ length: 12 }, () => refusal(s.create(job('a', { maxQueued: 4 })))));
      expect(all.filter((e) => e === null)).toHaveLength(4);
      expect(all.filter((e) => e !== null)).toHaveLength(8);
    });

    it('the hourly window counts dismissed and purged jobs; Retry-After is when the oldest leaves it', async () => {
      const s = store();
      const t0 = Date.now();
      for (let i = 0; i < 3; i++) {
        const { job: j } = await s.create(job('a', { maxJobsPerHour: 3 }));
        await s.dismiss(j.id, 1);
      }
      await sleep(10);
      expect(await s.purgeExpired(Date.now())).toHaveLength(3);
      const e = await refusal(s.create(job('a', { maxJobsPerHour: 3 })));
      expect(e).toMatchObject({ limit: 'max-jobs-per-hour', value: 3 });
      expect(e!.retryAfterMs).toBeLessThanOrEqual(3_600_000 - (Date.now() - t0) + 50);
      expect(e!.retryAfterMs).toBeGreaterThan(3_600_000 - (Date.now() - t0) - 5_000);
      // Another owner, and the same owner without a limit, are not affected.
      expect((await s.create(job('b', { maxJobsPerHour: 3 }))).created).toBe(true);
      expect((await s.create(job('a'))).created).toBe(true);
    });

    it('the window slides: a submission older than the window no longer counts', async () => {
      const s = store();
      const lim = { maxJobsPerHour: 2, windowMs: 1000 };
      const t0 = Date.now();
      await s.create(job('a', lim));
      await sleep(300);
      await s.create(job('a', lim));
      const e = await refusal(s.create(job('a', lim)));
      // Until the first submission leaves the window (the second stays in it ~300 ms longer).
      expect(e!.retryAfterMs).toBeGreaterThan(0);
      expect(e!.retryAfterMs).toBeLessThanOrEqual(1000 - (Date.now() - t0) + 20);
      await sleep(e!.retryAfterMs! + 20);
      expect((await s.create(job('a', lim))).created).toBe(true);
      expect(await refusal(s.create(job('a', lim)))).not.toBeNull();
    });
  });

  describe('fair claiming across owners', () => {
    const drain = async (s: JobStore, k: number) => {
      const got: Array<string | null> = [];
      for (let i = 0; i < k; i++) {
        const j = await s.claim('w', 60_000);
        if (!j) break;
        got.push(j.owner);
      }
      return got;
    };

    it("owner A's 50 queued jobs do not hold back B's one: B's is claimed within the next 2 claims", async () => {
      const s = store();
      for (let i = 0; i < 50; i++) await s.create(job('A'));
      expect(await drain(s, 3)).toEqual(['A', 'A', 'A']);
      await s.create(job('B'));
      expect((await drain(s, 2)).includes('B')).toBe(true);
      const rest = await drain(s, 100);
      expect(rest.every((o) => o === 'A')).toBe(true);
    });

    it('owners take turns; jobs without an owner count as one owner', async () => {
      const s = store();
      for (let i = 0; i < 3; i++) await s.create(job('A'));
      for (let i = 0; i < 3; i++) await s.create(job(null));
      for (let i = 0; i < 3; i++) await s.create(job('B'));
      const order = await drain(s, 9);
      expect(order.slice(0, 3).sort()).toEqual(['A', 'B', null].sort());
      expect(order.slice(3, 6).sort()).toEqual(['A', 'B', null].sort());
      expect(order.slice(6, 9).sort()).toEqual(['A', 'B', null].sort());
    });

    it('within one owner, the oldest job first; a released job keeps its place', async () => {
      const s = store();
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push((await s.create(job('A'))).job.id);
      const first = (await s.claim('w', 60_000))!;
      expect(first.id).toBe(ids[0]);
      await s.release(first.id, 'w', 'shutdown');
      expect((await s.claim('w', 60_000))?.id).toBe(ids[0]);
      expect((await s.claim('w', 60_000))?.id).toBe(ids[1]);
    });
  });
}
