/**
 * Redis fair dispatch survives keys that disagree with the job records: a job accepted before
 * fair dispatch existed (no per-owner queue entry, as after an upgrade) is still claimed, and a
 * queue entry whose job is no longer accepted is dropped, never claimed.
 */
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/table.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import { useRedisServer } from '../helpers/redis-server.js';

const server = useRedisServer();
let n = 0;

describe('redis fair dispatch repairs itself', () => {
  it('claims a job missing from its owner queue and skips a queue entry of a finished job', async () => {
    const prefix = `repair-${n++}`;
    const store = await openRedisStore({ redisUrl: server().url } as Config, { prefix });
    const raw = new Redis(server().url);
    try {
      const old = (await store.create({ processId: 'sleep', inputs: { i: 1 }, maxAttempts: 1, owner: 'A' })).job;
      // As if queued before the upgrade (per-process queues): in no fair queue at all.
      await raw.zrem(`${prefix}:queue:sleep:o:A`, old.id);
      await raw.srem(`${prefix}:qprocs:o:A`, 'sleep');
      await raw.zrem(`${prefix}:qturns`, 'o:A');
      const done = (await store.create({ processId: 'sleep', inputs: { i: 2 }, maxAttempts: 1, owner: 'B' })).job;
      expect((await store.claim('w', 60_000))?.id).toBe(old.id); // healed: it keeps its place
      expect((await store.claim('w', 60_000))?.id).toBe(done.id);
      await store.finish(done.id, 'w', { status: 'successful', outputs: {} }, 60_000);
      await raw.zadd(`${prefix}:queue:sleep:o:B`, 0, done.id); // a stale entry, ahead of everything
      await raw.sadd(`${prefix}:qprocs:o:B`, 'sleep');
      await raw.zadd(`${prefix}:qturns`, 0, 'o:B');
      const next = (await store.create({ processId: 'sleep', inputs: { i: 3 }, maxAttempts: 1, owner: 'A' })).job;
      expect((await store.claim('w', 60_000))?.id).toBe(next.id);
      expect(await store.claim('w', 60_000)).toBeNull();
      expect((await store.get(done.id))?.status).toBe('successful');
      expect(await raw.zscore(`${prefix}:queue:sleep:o:B`, done.id)).toBeNull();
    } finally {
      raw.disconnect();
      await store.close();
    }
  });
});
