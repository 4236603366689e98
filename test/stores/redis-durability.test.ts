/**
 * Redis restarted mid-run with appendonly on: every job whose create() resolved (what the API
 * answers 201 for) is still there afterwards and still runs. kill -9 of redis-server loses
 * nothing with either appendfsync setting: Redis write()s the AOF before it replies, and only
 * an OS crash can lose what was not yet fsync'ed (docs/scaling.md).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/table.js';
import type { JobStore } from '../../src/stores/job-store.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

let server: RedisServer | undefined;
let store: JobStore | undefined;
afterEach(async () => {
  await store?.close();
  await server?.destroy();
});

async function until(ok: () => Promise<unknown>, ms: number) {
  const t0 = Date.now();
  for (;;) {
    try {
      return await ok();
    } catch (e) {
      if (Date.now() - t0 > ms) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe.each(['always', 'everysec'])('redis kill -9 mid-run, appendfsync %s', (fsync) => {
  it('loses no job whose create resolved, and every one of them still runs', async () => {
    server = await startRedisServer({ appendonly: true, appendfsync: fsync });
    const s = (store = await openRedisStore({ redisUrl: server.url } as Config, { prefix: 'dur', repairAfterMs: 0 }));
    const accepted: string[] = [];
    let failures = 0;
    let stop = false;
    // Four submitters in a tight loop, as HTTP clients would be, across the crash and restart.
    const submit = async (k: number) => {
      for (let i = 0; !stop; i++) {
        try {
          accepted.push((await s.create({ processId: 'sleep', inputs: { k, i }, maxAttempts: 2 })).job.id);
        } catch {
          failures++;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const submitters = [0, 1, 2, 3].map(submit);
    await new Promise((r) => setTimeout(r, 300));
    const before = accepted.length;
    await server.kill();
    await new Promise((r) => setTimeout(r, 300));
    await server.start();
    await until(() => s.ping(), 10_000);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(submitters);
    expect(before).toBeGreaterThan(50);
    expect(failures).toBeGreaterThan(0); // the outage was real

    const missing: string[] = [];
    for (const id of accepted) if (!(await s.get(id))) missing.push(id);
    expect(missing).toEqual([]);

    // Tickets survive too; a ticket lost between record and queue is re-queued by the sweep.
    await s.sweepStalled(Date.now(), 60_000);
    const claimed = new Set<string>();
    for (let j = await s.claim('w', 60_000); j; j = await s.claim('w', 60_000)) claimed.add(j.id);
    expect(accepted.filter((id) => !claimed.has(id))).toEqual([]);
  });
});
