/**
 * Redis killed with -9 mid-run and restarted, appendonly on. With appendfsync always every job
 * whose create() resolved (what the API answers 201 for) is still there and still runs. With
 * everysec Redis usually write()s the AOF before it replies, but while a background fsync is
 * slow it postpones that write for up to 2 s and replies anyway: only jobs acknowledged in the
 * last 2 s before the crash may be lost (docs/scaling.md).
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

describe.each([
  ['always', 0],
  ['everysec', 2000],
])('redis kill -9 mid-run, appendfsync %s', (fsync, windowMs) => {
  it(`loses no job acknowledged more than ${windowMs} ms before the crash, and every surviving one still runs`, async () => {
    server = await startRedisServer({ appendonly: true, appendfsync: fsync });
    const s = (store = await openRedisStore({ redisUrl: server.url } as Config, { prefix: 'dur', repairAfterMs: 0 }));
    const accepted: string[] = [];
    const acceptedAt = new Map<string, number>();
    let failures = 0;
    let stop = false;
    // Four submitters in a tight loop, as HTTP clients would be, across the crash and restart.
    const submit = async (k: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const id = (await s.create({ processId: 'sleep', inputs: { k, i }, maxAttempts: 2 })).job.id;
          accepted.push(id);
          acceptedAt.set(id, Date.now());
        } catch {
          failures++;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    const submitters = [0, 1, 2, 3].map(submit);
    await new Promise((r) => setTimeout(r, 300 + windowMs));
    const before = accepted.length;
    const killedAt = Date.now();
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
    expect(missing.filter((id) => acceptedAt.get(id)! < killedAt - windowMs), 'jobs acknowledged before the loss window but gone').toEqual([]);
    if (windowMs === 0) expect(missing).toEqual([]);

    // Tickets survive too. A ticket lost between record and queue is re-queued by a sweep
    // (which looks at the 1,000 oldest accepted jobs), so sweep and drain as a node would.
    const claimed = new Set<string>();
    for (let round = 0, got = 1; got > 0 && round < 20; round++) {
      await s.sweepStalled(Date.now(), 60_000);
      got = 0;
      for (let j = await s.claim('w', 60_000); j; j = await s.claim('w', 60_000), got++) claimed.add(j.id);
    }
    const unclaimed = accepted.filter((id) => !claimed.has(id) && !missing.includes(id));
    expect(await Promise.all(unclaimed.map((id) => s.get(id).then((j) => `${id} ${j?.status} ${j?.attempts}`))), 'jobs that never ran').toEqual([]);
  });
});
