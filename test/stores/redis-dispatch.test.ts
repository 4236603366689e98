/**
 * Dispatch on BullMQ tickets: what the contract suite cannot see. A ticket lost between the
 * record and the queue is re-queued by the sweep; tickets of dismissed or released runs claim
 * nothing; several stores (nodes) on one Redis share the queues and each job runs once; a node
 * claiming for some processes never takes a ticket of another (each process has its own queue).
 */
import { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/table.js';
import type { JobStore } from '../../src/stores/job-store.js';
import { queueName, ticketId } from '../../src/stores/redis/dispatch.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import { useRedisServer } from '../helpers/redis-server.js';

const server = useRedisServer();
let n = 0;
const open = (prefix: string, repairAfterMs?: number) => openRedisStore({ redisUrl: server().url } as Config, { prefix, repairAfterMs });
const job = (i = 0) => ({ processId: 'sleep', inputs: { i }, maxAttempts: 3 });

describe('redis dispatch', () => {
  it('a job whose ticket was lost is dispatched again by the sweep', async () => {
    const prefix = `lost-${n++}`;
    const store = await open(prefix, 0);
    const q = new Queue(queueName('sleep'), { prefix: `${prefix}:bull`, connection: { host: '127.0.0.1', port: server().port } });
    try {
      const { job: j } = await store.create(job());
      expect(await q.remove(ticketId(j.id, '1'))).toBe(1); // as if the node died before queuing it
      expect(await store.claim('w', 5000)).toBeNull();
      await store.sweepStalled(Date.now(), 60_000);
      expect((await store.claim('w', 5000))?.id).toBe(j.id);
    } finally {
      await q.close();
      await store.close();
    }
  });

  it('a claim for some processes takes no ticket of another: its queue is untouched', async () => {
    const prefix = `procs-${n++}`;
    const store = await open(prefix);
    const q = new Queue(queueName('sleep'), { prefix: `${prefix}:bull`, connection: { host: '127.0.0.1', port: server().port } });
    try {
      const s1 = (await store.create(job(1))).job;
      const h = (await store.create({ processId: 'hello-world', inputs: { name: 'x' }, maxAttempts: 3 })).job;
      const before = await q.getJobCounts('waiting', 'active');
      expect(before).toEqual({ waiting: 1, active: 0 });
      expect((await store.claim('hello-node', 5000, ['hello-world']))?.id).toBe(h.id);
      expect(await store.claim('hello-node', 5000, ['hello-world', 'clip-raster'])).toBeNull();
      expect(await q.getJobCounts('waiting', 'active')).toEqual(before);
      expect((await store.claim('sleep-node', 5000, ['sleep']))?.id).toBe(s1.id);
    } finally {
      await q.close();
      await store.close();
    }
  });

  it('old tickets of dismissed and released runs claim nothing; a released job runs first', async () => {
    const store = await open(`stale-${n++}`);
    try {
      const a = (await store.create(job(1))).job;
      const b = (await store.create(job(2))).job;
      const c = (await store.create(job(3))).job;
      await store.dismiss(a.id, 60_000);
      expect((await store.claim('w1', 5000))?.id).toBe(b.id);
      expect(await store.release(b.id, 'w1', 'shutdown')).toBe(true);
      const again = await store.claim('w2', 5000);
      expect(again).toMatchObject({ id: b.id, attempts: 1, workerId: 'w2' });
      expect((await store.claim('w2', 5000))?.id).toBe(c.id);
      expect(await store.claim('w2', 5000)).toBeNull();
    } finally {
      await store.close();
    }
  });

  it('two nodes on one Redis share the queue: 200 jobs, each claimed exactly once, by both', async () => {
    const prefix = `shared-${n++}`;
    const [a, b] = await Promise.all([open(prefix), open(prefix)]);
    try {
      const ids = new Set<string>();
      for (let i = 0; i < 200; i++) ids.add((await (i % 2 ? a : b).create(job(i))).job.id);
      const seen: Record<string, string[]> = { A: [], B: [] };
      const drain = async (s: JobStore, name: string) => {
        for (let j = await s.claim(name, 60_000); j; j = await s.claim(name, 60_000)) {
          seen[name].push(j.id);
          expect(await s.finish(j.id, name, { status: 'successful', outputs: {} }, 60_000)).toBe(true);
        }
      };
      await Promise.all([drain(a, 'A'), drain(b, 'B')]);
      const all = [...seen.A, ...seen.B];
      expect(all).toHaveLength(200);
      expect(new Set(all)).toEqual(ids);
      expect(seen.A.length).toBeGreaterThan(0);
      expect(seen.B.length).toBeGreaterThan(0);
      // A dismissal through node A reaches the job node B runs: B's next heartbeat says "not yours".
      const { job: j } = await a.create(job(999));
      expect((await b.claim('B', 60_000))?.id).toBe(j.id);
      await a.dismiss(j.id, 60_000);
      expect(await b.heartbeat(j.id, 'B', 60_000)).toBe(false);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
