/**
 * Job events across nodes at the store level: two RedisJobStores (two nodes) on one real
 * redis-server; every change made through one reaches the other's subscribers, and a
 * subscriber connection that lost Redis re-subscribes once it is back.
 */
import { afterEach, expect, it } from 'vitest';
import type { Config } from '../../src/config/table.js';
import type { JobEvent } from '../../src/stores/job-store.js';
import { decodeEvent } from '../../src/stores/redis/redis-events.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import type { RedisJobStore } from '../../src/stores/redis/redis-store.js';
import { useRedisServer } from '../helpers/redis-server.js';

const server = useRedisServer();
const open: RedisJobStore[] = [];
let n = 0;
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function twoNodes() {
  const prefix = `events-${process.pid}-${n++}`;
  const a = await openRedisStore({ redisUrl: server().url } as Config, { prefix });
  const b = await openRedisStore({ redisUrl: server().url } as Config, { prefix });
  open.push(a, b);
  return [a, b];
}

async function until(pred: () => boolean, ms = 5000) {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it("node A's subscribers see every change node B makes", async () => {
  const [a, b] = await twoNodes();
  const seen: JobEvent[] = [];
  a.subscribe((e) => seen.push(e));
  const { job } = await b.create({ processId: 'sleep', inputs: {}, maxAttempts: 1, owner: 'bob' });
  await b.claim('node-b', 60_000);
  await b.heartbeat(job.id, 'node-b', 60_000, { percent: 50, message: 'half' });
  await b.finish(job.id, 'node-b', { status: 'successful', outputs: {} }, 60_000);
  await until(() => seen.length === 4);
  expect(seen.map((e) => [e.status, e.progress])).toEqual([['accepted', 0], ['running', 0], ['running', 50], ['successful', 100]]);
  expect(seen[3]).toMatchObject({ id: job.id, processId: 'sleep', owner: 'bob', message: 'done' });
  expect(seen[3].finished).toBeGreaterThanOrEqual(seen[3].started!);
});

it('re-subscribes after a Redis restart', async () => {
  const [a, b] = await twoNodes();
  const seen: JobEvent[] = [];
  a.subscribe((e) => seen.push(e));
  await server().restart();
  // Both stores reconnect by themselves; the first calls may still fail while they do.
  const t0 = Date.now();
  for (;;) {
    try {
      await b.create({ processId: 'sleep', inputs: {}, maxAttempts: 1 });
      await until(() => seen.length > 0, 500);
      break;
    } catch {
      if (Date.now() - t0 > 10_000) throw new Error(`no event after the restart (subscriber ${(a as any).jobEvents.sub.status})`);
      await new Promise((r) => setTimeout(r, 100)); // a failing call may reject at once: let reconnection run
    }
  }
  expect(seen[0].status).toBe('accepted');
});

it('ignores malformed messages', () => {
  expect(decodeEvent('not json')).toBeNull();
  expect(decodeEvent('{"a":1}')).toBeNull();
  expect(decodeEvent('[false]')).toBeNull();
  expect(decodeEvent('["id","p","running",false,"5","1","2",false,"3",false]')).toEqual({
    id: 'id', processId: 'p', status: 'running', message: null, progress: 5, created: 1, started: 2, finished: null, updated: 3, owner: null,
  });
});
