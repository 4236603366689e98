/**
 * Redis: jobs stored before the list's combination sets existed (an upgrade) join them through
 * the one-off backfill, exactly once, while the store keeps changing.
 */
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/table.js';
import type { JobStore, ListQuery } from '../../src/stores/job-store.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import { useRedisServer } from '../helpers/redis-server.js';

const server = useRedisServer();
const stores: JobStore[] = [];
afterAll(async () => {
  for (const s of stores) await s.close();
});

const SHAPES: Array<Partial<ListQuery>> = [
  {},
  { status: ['accepted'] },
  { processId: ['sleep'], status: ['dismissed', 'accepted'] },
  { owner: 'alice' },
  { owner: 'alice', status: ['dismissed'] },
  { owner: 'bob', processId: ['hello-world'] },
];

async function snapshot(store: JobStore) {
  const out = [];
  for (const f of SHAPES) {
    const page = await store.list({ ...f, limit: 100, offset: 0 });
    out.push({ total: page.total, ids: page.jobs.map((j) => j.id) });
  }
  return out;
}

describe('Redis list combination sets: backfill after an upgrade', () => {
  it('adds every older job once, also one that changes while the backfill runs', async () => {
    const prefix = `backfill-${process.pid}`;
    const store = await openRedisStore({ redisUrl: server().url } as Config, { prefix });
    stores.push(store);
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const { job } = await store.create({ processId: i % 2 ? 'sleep' : 'hello-world', inputs: { i }, maxAttempts: 1, owner: i % 3 ? 'alice' : 'bob' });
      ids.push(job.id);
    }
    for (const id of ids.filter((_, i) => i % 4 === 0)) await store.dismiss(id, 60_000);
    const want = await snapshot(store);

    // Back to the layout of a store from before: no combination sets, no marks, no done-flag.
    const redis = new Redis(server().url);
    const keys = [`${prefix}:counts:indexed`, ...(await redis.keys(`${prefix}:sp:*`)), ...(await redis.keys(`${prefix}:osp:*`))];
    await redis.del(...keys);
    for (const id of ids) await redis.hdel(`${prefix}:job:${id}`, 'counted');
    expect((await store.list({ owner: 'alice', status: ['accepted'], limit: 1, offset: 0 })).total).toBe(0);

    // A change to an uncounted job before the backfill reaches it is not counted twice.
    await store.dismiss(ids[1], 60_000);
    const changed = await snapshot(store);
    const combined = SHAPES.findIndex((f) => f.owner && f.status);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    await (store as any).console.backfillCounts();
    await store.dismiss(ids[2], 60_000); // and one after it
    const after = await snapshot(store);
    await store.dismiss(ids[1], 60_000); // no-op: already dismissed
    expect(changed[combined].total).toBe(0);
    // What a store that never lost its counters shows after the same two dismissals.
    const fresh = await openRedisStore({ redisUrl: server().url } as Config, { prefix: `${prefix}-ref` });
    stores.push(fresh);
    const refIds: string[] = [];
    for (let i = 0; i < 60; i++) refIds.push((await fresh.create({ processId: i % 2 ? 'sleep' : 'hello-world', inputs: { i }, maxAttempts: 1, owner: i % 3 ? 'alice' : 'bob' })).job.id);
    for (const id of refIds.filter((_, i) => i % 4 === 0 || i === 1 || i === 2)) await fresh.dismiss(id, 60_000);
    const ref = await snapshot(fresh);
    const pos = (list: string[], all: string[]) => list.map((id) => all.indexOf(id));
    expect(after.map((s) => s.total)).toEqual(ref.map((s) => s.total));
    expect(after.map((s) => pos(s.ids, ids))).toEqual(ref.map((s) => pos(s.ids, refIds)));
    expect(want[0].total).toBe(60);
    expect(await redis.exists(`${prefix}:counts:indexed`)).toBe(1);
    redis.disconnect();
  });
});
