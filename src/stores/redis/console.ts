/**
 * The console's reads and the job log on Redis: log lines (a list per job, lua-console.ts), the
 * admin figures, the node registry with worker slots, and the one-off index backfills.
 */
import type { Redis } from 'ioredis';
import type { ActivityStats, JobLogLine, NodeInfo } from '../job-store.js';
import { LOG_MAX_LINES } from '../job-store.js';
import { cleanLine } from '../job-events.js';
import type { Scripts } from './scripts.js';

const BACKFILL_SLICE = 1000;

export class RedisConsole {
  constructor(
    private readonly redis: Redis,
    private readonly s: Scripts,
    private readonly p: string, // prefix with trailing ':'
  ) {}

  async appendLog(id: string, lines: JobLogLine[]): Promise<void> {
    if (!lines.length) return;
    await this.s.run('appendLog', [this.p, id, String(LOG_MAX_LINES), ...lines.map((l) => JSON.stringify(cleanLine(l)))]);
  }

  async readLog(id: string, after = -1): Promise<JobLogLine[]> {
    const raw = await this.redis.lrange(`${this.p}log:${id}`, Math.max(0, after + 1), -1);
    return raw.map((r) => JSON.parse(r) as JobLogLine);
  }

  async activity(now: number): Promise<ActivityStats> {
    const first = Math.floor(now / 60_000) - 59;
    const [queue, minutes, failures] = (await this.s.run('activity', [this.p, String(first), '60'])) as [Array<string | number>, number[], string[][]];
    const q: Record<string, number> = {};
    for (let i = 0; i + 1 < queue.length; i += 2) q[String(queue[i])] = Number(queue[i + 1]);
    return {
      queue: q,
      perMinute: Array.from({ length: 60 }, (_, i) => ({ minute: (first + i) * 60_000, successful: minutes[2 * i], failed: minutes[2 * i + 1] })),
      failures: failures.map(([id, processId, finished, message]) => ({ id, processId, finished: Number(finished), message })),
    };
  }

  async announce(nodeId: string, info: NodeInfo, ttlMs: number): Promise<void> {
    const now = Date.now();
    await this.redis.hset(`${this.p}nodes`, nodeId, JSON.stringify({ marker: info.marker, workers: info.workers, processes: info.processes, announced: now, until: now + ttlMs }));
  }

  async nodes(): Promise<Array<NodeInfo & { nodeId: string; announced: number }>> {
    const all = await this.redis.hgetall(`${this.p}nodes`);
    const now = Date.now();
    const live: Array<NodeInfo & { nodeId: string; announced: number }> = [];
    const dead: string[] = [];
    for (const [nodeId, v] of Object.entries(all)) {
      const n = JSON.parse(v) as Partial<NodeInfo> & { until: number; announced?: number };
      if (n.until > now) live.push({ nodeId, marker: n.marker ?? '', workers: n.workers ?? [], ...(n.processes ? { processes: n.processes } : {}), announced: n.announced ?? now });
      else dead.push(nodeId);
    }
    if (dead.length) await this.redis.hdel(`${this.p}nodes`, ...dead);
    return live;
  }

  /**
   * Jobs stored before the created-time index existed get into it once (the datetime filter
   * reads only the index). Safe to run on several nodes at once: ZADD is idempotent.
   */
  async backfillCreated(): Promise<void> {
    const flag = `${this.p}created:indexed`;
    if (await this.redis.exists(flag)) return;
    for (let start = 0; ; start += BACKFILL_SLICE) {
      const n = (await this.s.run('backfillCreated', [this.p, String(start), String(BACKFILL_SLICE)])) as number;
      if (n < BACKFILL_SLICE) break;
    }
    await this.redis.set(flag, '1');
  }

  /**
   * Jobs stored before the list's combination sets existed get into them once, a slice at a time
   * (each job marked as it is added: lua-list.ts). Safe on several nodes at once.
   */
  async backfillCounts(): Promise<void> {
    const flag = `${this.p}counts:indexed`;
    if (await this.redis.exists(flag)) return;
    // Sequences start at 1 (INCR).
    for (let after = '0'; ; ) {
      const last = (await this.s.run('backfillCounts', [this.p, after, String(BACKFILL_SLICE)])) as string | number;
      if (last === -1) break;
      after = String(last);
    }
    await this.redis.set(flag, '1');
  }
}
