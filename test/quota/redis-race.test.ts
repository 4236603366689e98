/**
 * Limits hold across nodes: two stores (two nodes, each with its own connections) on one Redis
 * fire creates for one owner at the same moment; the Lua check-and-insert lets exactly the
 * limit through, never the 5th of 4. And fair claiming holds when the nodes claim together.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/table.js';
import { QuotaExceededError, type JobStore } from '../../src/stores/job-store.js';
import { openRedisStore } from '../../src/stores/redis/open-redis-store.js';
import { useRedisServer } from '../helpers/redis-server.js';

const server = useRedisServer();
let n = 0;
const open = (prefix: string) => openRedisStore({ redisUrl: server().url } as Config, { prefix });

async function fire(nodes: JobStore[], each: number, limits: { maxQueued: number | null; maxJobsPerHour: number | null }) {
  const calls = nodes.flatMap((s, k) =>
    Array.from({ length: each }, (_, i) =>
      s.create({ processId: 'sleep', inputs: { k, i, n: n++ }, maxAttempts: 1, owner: 'alice', limits }).then(
        () => 'ok' as const,
        (e) => (e instanceof QuotaExceededError ? e.limit : Promise.reject(e)),
      ),
    ),
  );
  return Promise.all(calls);
}

describe('quota across two redis nodes', () => {
  it('max-queued 4: 20 simultaneous creates from two nodes accept exactly 4', async () => {
    const prefix = `race-${n++}`;
    const [a, b] = await Promise.all([open(prefix), open(prefix)]);
    try {
      for (let round = 0; round < 5; round++) {
        const out = await fire([a, b], 10, { maxQueued: 4, maxJobsPerHour: null });
        expect(out.filter((r) => r === 'ok')).toHaveLength(round === 0 ? 4 : 0);
        expect(out.filter((r) => r === 'max-queued')).toHaveLength(round === 0 ? 16 : 20);
      }
      expect((await a.list({ owner: 'alice', limit: 100, offset: 0 })).total).toBe(4);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('max-jobs-per-hour 4: the same race accepts exactly 4, and dismissing them frees nothing', async () => {
    const prefix = `race-${n++}`;
    const [a, b] = await Promise.all([open(prefix), open(prefix)]);
    try {
      const out = await fire([a, b], 10, { maxQueued: null, maxJobsPerHour: 4 });
      expect(out.filter((r) => r === 'ok')).toHaveLength(4);
      for (const j of (await a.list({ owner: 'alice', limit: 10, offset: 0 })).jobs) await b.dismiss(j.id, 60_000);
      const again = await fire([a, b], 5, { maxQueued: null, maxJobsPerHour: 4 });
      expect(again.every((r) => r === 'max-jobs-per-hour')).toBe(true);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("two nodes claiming together still serve B's one job within the next two claims", async () => {
    const prefix = `fair-${n++}`;
    const [a, b] = await Promise.all([open(prefix), open(prefix)]);
    try {
      for (let i = 0; i < 40; i++) await a.create({ processId: 'sleep', inputs: { i }, maxAttempts: 1, owner: 'A' });
      await Promise.all([a.claim('na', 60_000), b.claim('nb', 60_000)]);
      await b.create({ processId: 'sleep', inputs: { b: 1 }, maxAttempts: 1, owner: 'B' });
      const next = await Promise.all([a.claim('na', 60_000), b.claim('nb', 60_000)]);
      expect(next.map((j) => j?.owner)).toContain('B');
      // Every job is still claimed exactly once.
      const seen = new Set<string>();
      for (const s of [a, b]) for (let j = await s.claim('x', 60_000); j; j = await s.claim('x', 60_000)) seen.add(j.id);
      expect(seen.size).toBe(37); // 40 of A + 1 of B, 4 claimed above
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
