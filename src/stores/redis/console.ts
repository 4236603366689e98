/**
 * The console's reads and the job log on Redis: log lines (a list per job, lua-console.ts), the
 * job list's free-text filter (slices of a snapshot, so Redis is never blocked long), the admin
 * figures and the node registry with worker slots.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ActivityStats, JobLogLine, JobRecord, ListQuery, NodeInfo } from '../job-store.js';
import { LOG_MAX_LINES } from '../job-store.js';
import { cleanLine } from '../job-events.js';
import { recordFrom } from './records.js';
import type { Scripts } from './scripts.js';

/** Candidates examined per LIST_SCAN call: a few ms of Redis time each. */
const SCAN_SLICE = 2000;
const BACKFILL_SLICE = 1000;

const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

export class RedisConsole {
  constructor(
    private readonly redis: Redis,
    private readonly s: Scripts,
    private readonly p: string, // prefix with trailing ':'
  ) {}

  /** ARGV tail of LIST after its groups: createdFrom, createdTo, q. */
  listArgs(q: ListQuery): string[] {
    return [q.createdFrom === undefined ? '' : String(q.createdFrom), q.createdTo === undefined ? '' : String(q.createdTo), q.q ? asciiLower(q.q) : ''];
  }

  /** After LIST left the candidates in `tmp` (free-text search): scan them, then read one page. */
  async search(tmp: string, q: ListQuery): Promise<{ jobs: JobRecord[]; total: number }> {
    try {
      const needle = asciiLower(q.q ?? '');
      const matches: string[] = [];
      for (let start = 0; start >= 0; ) {
        const [next, ...ids] = (await this.s.run('listScan', [this.p, tmp, String(start), String(SCAN_SLICE), needle])) as [number, ...string[]];
        matches.push(...ids);
        start = next;
      }
      const page = matches.slice(q.offset, q.offset + q.limit);
      const rows = page.length ? ((await this.s.run('getMany', [this.p, ...page])) as string[][]) : [];
      return { jobs: rows.map(recordFrom), total: matches.length };
    } finally {
      await this.redis.del(tmp).catch(() => {});
    }
  }

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
}

export const tmpKey = (p: string) => `${p}tmp:${randomUUID()}`;
