/**
 * Redis going away at run time: store calls must fail fast with StoreUnavailableError (the HTTP
 * layer turns it into 503 + Retry-After), the process must not spin while Redis is down, and
 * the store must recover by itself when Redis is back on the same address.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/table.js';
import { StoreUnavailableError, type JobStore } from '../../src/stores/job-store.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';

const TTL = 60_000;
let server: RedisServer;
let store: JobStore;

beforeEach(async () => {
  // appendonly: the job created before the outage must still be there after the restart.
  server = await startRedisServer({ appendonly: true });
  store = await openRedisStore({ redisUrl: server.url } as Config, { prefix: 'outage' });
});
afterEach(async () => {
  await store.close();
  await server.destroy();
});

async function failsFast(label: string, call: () => Promise<unknown>, withinMs: number) {
  const t0 = Date.now();
  const err = await call().then(
    () => null,
    (e) => e,
  );
  const took = Date.now() - t0;
  expect(err, `${label} should reject`).toBeInstanceOf(StoreUnavailableError);
  expect(took, `${label} took ${took} ms`).toBeLessThan(withinMs);
}

async function until(ok: () => Promise<unknown>, ms: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    try {
      await ok();
      return Date.now() - t0;
    } catch (e) {
      if (Date.now() - t0 > ms) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('redis outage', () => {
  it('rejects every call quickly while Redis is down, does not spin, and recovers by itself', async () => {
    const { job } = await store.create({ processId: 'sleep', inputs: { s: 1 }, maxAttempts: 2 });
    await server.stop();

    const calls: Array<[string, () => Promise<unknown>]> = [
      ['create', () => store.create({ processId: 'sleep', inputs: { s: 2 }, maxAttempts: 2 })],
      ['get', () => store.get(job.id)],
      ['list', () => store.list({ limit: 10, offset: 0 })],
      ['claim', () => store.claim('w1', 5000)],
      ['heartbeat', () => store.heartbeat(job.id, 'w1', 5000)],
      ['finish', () => store.finish(job.id, 'w1', { status: 'successful', outputs: {} }, TTL)],
      ['release', () => store.release(job.id, 'w1', 'x')],
      ['dismiss', () => store.dismiss(job.id, TTL)],
      ['sweepStalled', () => store.sweepStalled(Date.now(), TTL)],
      ['purgeExpired', () => store.purgeExpired(Date.now())],
      ['tryLock', () => store.tryLock('l', 'a', 1000)],
      ['ping', () => store.ping()],
    ];
    for (const [label, call] of calls) await failsFast(label, call, 2000);

    // Idle while down: reconnection backs off to one attempt every 2 s; a spin would burn a core.
    const cpu0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 2000));
    const cpu = process.cpuUsage(cpu0);
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(400);

    await server.start();
    await until(() => store.ping(), 10_000);
    expect((await store.get(job.id))?.status).toBe('accepted');
    expect((await store.claim('w1', 5000))?.id).toBe(job.id);
    // The blocking event connection came back too: an idle worker is woken by new work.
    const t0 = Date.now();
    const waiting = store.waitForWork(5000);
    setTimeout(() => void store.create({ processId: 'sleep', inputs: { s: 3 }, maxAttempts: 2 }), 50);
    await waiting;
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('a Redis that accepts connections but stops answering fails calls within the deadline', async () => {
    const { job } = await store.create({ processId: 'sleep', inputs: {}, maxAttempts: 2 });
    server.freeze();
    try {
      await failsFast('get', () => store.get(job.id), 2500);
      await failsFast('claim', () => store.claim('w1', 5000), 2500);
      await failsFast('create', () => store.create({ processId: 'sleep', inputs: { x: 1 }, maxAttempts: 2 }), 2500);
    } finally {
      server.thaw();
    }
    await until(() => store.ping(), 10_000);
    expect((await store.get(job.id))?.id).toBe(job.id);
  });
});
