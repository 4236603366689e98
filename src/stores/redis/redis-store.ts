/**
 * JobStore on Redis, for several subsetd nodes sharing one queue. The job record (OGC
 * statusInfo, inputs, meta, outputs, lease) is a hash any node can read; every state change is
 * one Lua script that checks the transition (src/jobs/status.ts) and the lease owner before it
 * writes. Dispatch runs on BullMQ (dispatch.ts). Calls fail within ~1.5 s with
 * StoreUnavailableError while Redis is unreachable.
 */
import { waitForEvent } from '../wait-event.js';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { JOB_STATUSES, sourcesOf } from '../../jobs/status.js';
import type { ActivityStats, FinishResult, JobEvent, JobLogLine, JobPage, JobRecord, JobStore, ListCursor, ListQuery, NewJob, NodeInfo, SweepResult } from '../job-store.js';
import { asciiLower, LIST_SCAN_BUDGET, QUOTA_WINDOW_MS, QuotaExceededError } from '../job-store.js';
import { RedisConsole } from './console.js';
import { RedisEvents } from './redis-events.js';
import { storeError } from './connection.js';
import { Dispatch } from './dispatch.js';
import { dispatchOf, hashFrom, recordFrom, summaryFrom, toRecord } from './records.js';
import { Scripts } from './scripts.js';
import { RedisTokens } from './tokens.js';
import type { CreateTokenResult, NewToken, TokenRecord } from '../tokens.js';

/** Redis deletes an ended job's hash this long after expiresAt if no node purged it first. */
const KEY_TTL_BACKSTOP_MS = 86_400_000;
/** Jobs deleted per purge script (a few ms of Redis time each). */
const PURGE_SLICE = 100;
/** A job accepted this long without a ticket being taken is checked for a lost ticket. */
export const REPAIR_AFTER_MS = 10_000;
/**
 * Stale tickets (dismissed, re-dispatched, or taken out of turn by the fair order) skipped per
 * claim before giving up for now. Each one skipped is consumed, so the loop always progresses;
 * giving up early would leave an idle node waiting for its next poll while jobs are queued
 * behind the stale ones (after a burst of out-of-order tickets there can be hundreds).
 */
const MAX_STALE_TICKETS = 10_000;

export class RedisJobStore implements JobStore {
  readonly kind = 'redis' as const;
  private readonly p: string;
  private readonly s: Scripts;
  private readonly events = new EventEmitter();
  private readonly unsubscribe: () => void;
  private readonly tokens: RedisTokens;
  private readonly console: RedisConsole;
  /** One subscriber connection per store (= per node); started by openRedisStore. */
  readonly jobEvents: RedisEvents;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly dispatch: Dispatch,
    prefix: string,
    private readonly repairAfterMs = REPAIR_AFTER_MS,
  ) {
    this.p = `${prefix}:`;
    this.s = new Scripts(redis);
    this.tokens = new RedisTokens(redis, this.s, this.p);
    this.console = new RedisConsole(redis, this.s, this.p);
    this.jobEvents = new RedisEvents(redis, prefix);
    this.events.setMaxListeners(0);
    this.unsubscribe = this.jobEvents.work(() => this.events.emit('work'));
  }

  /** Every public call goes through here: Redis reachability errors become StoreUnavailableError. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw storeError(e);
    }
  }

  create(job: NewJob): Promise<{ job: JobRecord; created: boolean }> {
    return this.call(async () => {
      const id = job.id ?? randomUUID();
      const lim = job.limits;
      const reply = (await this.s.run('create', [
        this.p, id, job.id ? '1' : '0', job.processId, JSON.stringify(job.inputs), job.dedupKey ?? '',
        JSON.stringify(job.meta ?? {}), String(job.maxAttempts), String(Date.now()), job.owner ?? '',
        lim?.maxQueued == null ? '' : String(lim.maxQueued), lim?.maxJobsPerHour == null ? '' : String(lim.maxJobsPerHour),
        String(lim?.windowMs ?? QUOTA_WINDOW_MS),
      ])) as unknown[];
      if (reply[0] === -1) {
        const [, limit, value, retry] = reply as [number, QuotaExceededError['limit'], number, number | ''];
        throw new QuotaExceededError(limit, value, retry === '' ? null : retry);
      }
      const [created, flat] = reply as [number, string[]];
      const rec = recordFrom(flat);
      if (created === 1) {
        // The record is durable now. If queuing its ticket fails, sweepStalled's repair
        // queues it later; the job is accepted either way, so the caller is told so.
        await this.dispatch.enqueue(id, dispatchOf(flat), job.processId).catch((e) => {
          if (storeError(e) === e) throw e;
        });
        this.events.emit('work');
      }
      return { job: rec, created: created === 1 };
    });
  }

  get(id: string): Promise<JobRecord | null> {
    return this.call(async () => {
      const h = await this.redis.hgetall(`${this.p}job:${id}`);
      return h.id ? toRecord(h) : null;
    });
  }

  list(q: ListQuery): Promise<JobPage> {
    return this.call(async () => {
      const at = (c?: ListCursor) => (c ? String(c.key) : '');
      const [total, rows, seqs, more, resume, resumeCreated] = (await this.s.run('list', [
        this.p, String(q.limit), String(q.offset), at(q.after), at(q.before),
        (q.status ?? []).join(','), (q.processId ?? []).join(','), q.owner === undefined ? '' : `=${q.owner}`,
        q.createdFrom === undefined ? '' : String(q.createdFrom), q.createdTo === undefined ? '' : String(q.createdTo),
        q.q ? asciiLower(q.q) : '', String(LIST_SCAN_BUDGET), JOB_STATUSES.join(','),
        q.minDuration === undefined ? '' : String(q.minDuration), q.maxDuration === undefined ? '' : String(q.maxDuration), String(Date.now()),
      ])) as [number, Array<Array<string | null>>, string[], number, string, string];
      const back = q.before !== undefined;
      const jobs = rows.map(summaryFrom);
      const cursors = jobs.map((j, i) => ({ created: j.created, key: Number(seqs[i]) }));
      if (back) {
        jobs.reverse();
        cursors.reverse();
      }
      const page: JobPage = {
        jobs,
        total: total === -1 ? null : total,
        next: back ? (cursors.at(-1) ?? null) : resume ? { created: Number(resumeCreated), key: Number(resume) } : more ? cursors.at(-1)! : null,
        first: cursors[0] ?? null,
      };
      if (back) page.newer = more === 1;
      return page;
    });
  }

  claim(workerId: string, leaseMs: number, processes?: readonly string[]): Promise<JobRecord | null> {
    return this.call(async () => {
      // Every process that ever had a job, when the caller serves them all.
      const from = processes ?? (await this.redis.smembers(`${this.p}procs`)).sort();
      if (!from.length) return null;
      for (let i = 0; i < MAX_STALE_TICKETS; i++) {
        // The process of the fair next job first (owners take turns across processes).
        const first = (await this.s.run('nextProcess', [this.p, ...from])) as string | null;
        const t = await this.dispatch.next(from, first ?? undefined);
        if (!t) return null;
        const now = Date.now();
        const flat = await this.s.run('claim', [this.p, t.id, t.dispatch, workerId, String(now + leaseMs), String(now)]).catch(async (e) => {
          // If the script did run (reply lost), the lease expires unrenewed and the sweep
          // re-queues the job under a new dispatch number; this ticket then claims nothing.
          await this.dispatch.giveBack(t);
          throw e;
        });
        // The fair order took another job than the ticket's: that one keeps its place under a
        // new dispatch number and needs a ticket for it (lost: the repair pass queues one).
        const [claimed, renewed] = (flat || [null, '']) as [string[] | null, string];
        if (renewed) await this.dispatch.enqueue(t.id, renewed, t.processId, true).catch(() => {});
        // Completing the ticket after the claim: if this node dies in between, the ticket
        // comes back through BullMQ's stalled check and CLAIM ignores it (dispatch moved on).
        await this.dispatch.done(t).catch(() => {});
        if (claimed) return recordFrom(claimed);
      }
      return null;
    });
  }

  heartbeat(id: string, workerId: string, leaseMs: number, progress?: { percent: number; message?: string }): Promise<boolean> {
    return this.call(async () => {
      const now = Date.now();
      const pct = progress ? String(Math.max(0, Math.min(100, Math.round(progress.percent)))) : '';
      const hasMsg = progress?.message !== undefined;
      const r = await this.s.run('heartbeat', [this.p, id, workerId, String(now + leaseMs), String(now), pct, hasMsg ? '1' : '0', progress?.message ?? '']);
      return r === 1;
    });
  }

  finish(id: string, workerId: string, result: FinishResult, ttlMs: number): Promise<boolean> {
    return this.call(async () => {
      const now = Date.now();
      const ok = result.status === 'successful';
      const r = await this.s.run('finish', [
        this.p, id, workerId, result.status,
        ok ? JSON.stringify(result.outputs) : '', ok ? '' : JSON.stringify(result.error), ok ? '100' : '',
        ok ? (result.message ?? 'done') : result.error.message, String(now), String(now + ttlMs), String(now + ttlMs + KEY_TTL_BACKSTOP_MS),
      ]);
      return r === 1;
    });
  }

  release(id: string, workerId: string, message: string): Promise<boolean> {
    return this.call(async () => {
      const r = (await this.s.run('release', [this.p, id, workerId, message, String(Date.now())])) as [string, string] | null;
      if (r === null) return false;
      await this.dispatch.enqueue(id, r[0], r[1], true).catch((e) => {
        if (storeError(e) === e) throw e; // unreachable: the repair pass queues it later
      });
      this.events.emit('work');
      return true;
    });
  }

  dismiss(id: string, ttlMs: number): Promise<JobRecord | null> {
    return this.call(async () => {
      const now = Date.now();
      const flat = await this.s.run('dismiss', [
        this.p, id, String(now), String(now + ttlMs), String(now + ttlMs + KEY_TTL_BACKSTOP_MS), sourcesOf('dismissed').join(','),
      ]);
      if (!flat) return null;
      const h = hashFrom(flat);
      void this.dispatch.drop(id, h.dispatch, h.processId);
      return toRecord(h);
    });
  }

  sweepStalled(cutoff: number, ttlMs: number): Promise<SweepResult> {
    return this.call(async () => {
      const now = Date.now();
      const out: SweepResult = { requeued: [], failed: [] };
      const rows = (await this.s.run('sweep', [
        this.p, `(${cutoff}`, String(now), String(now + ttlMs), String(now + ttlMs + KEY_TTL_BACKSTOP_MS), '1000',
      ])) as Array<[string, string, string[]]>;
      for (const [kind, n, flat] of rows) {
        const rec = recordFrom(flat);
        if (kind === 'failed') out.failed.push(rec);
        else {
          out.requeued.push(rec);
          await this.dispatch.enqueue(rec.id, n, rec.processId, true).catch(() => {}); // repaired below on a later pass
        }
      }
      await this.repairDispatch(now);
      if (out.requeued.length) this.events.emit('work');
      return out;
    });
  }

  /**
   * Queues the ticket again for accepted jobs that have none, in case a node or Redis died
   * between writing the record and queuing its ticket. Looks at the 1,000 oldest accepted jobs:
   * an orphan newer than that becomes one of them as the queue drains, since it is never
   * claimed. Safe to repeat: a duplicate ticket can claim nothing (CLAIM checks the dispatch number).
   */
  private async repairDispatch(now: number): Promise<void> {
    const flat = (await this.s.run('missingTickets', [this.p, '1000', String(now - this.repairAfterMs), this.dispatch.ticketKeyPrefix])) as string[];
    for (let i = 0; i + 2 < flat.length; i += 3) await this.dispatch.enqueue(flat[i], flat[i + 1], flat[i + 2], true);
  }

  purgeExpired(now: number): Promise<string[]> {
    return this.call(async () => {
      // Slices: each script holds Redis (every node's requests) for a few ms only.
      const all: string[] = [];
      for (;;) {
        const ids = (await this.s.run('purge', [this.p, String(now), String(PURGE_SLICE), JOB_STATUSES.join(',')])) as string[];
        all.push(...ids);
        if (ids.length < PURGE_SLICE) return all;
      }
    });
  }

  waitForWork(ms: number, signal?: AbortSignal): Promise<void> {
    return waitForEvent(this.events, 'work', ms, signal);
  }

  tryLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return this.call(async () => (await this.s.lock(`${this.p}lock:${name}`, owner, ttlMs)) === 1);
  }

  unlock(name: string, owner: string): Promise<void> {
    return this.call(async () => {
      await this.s.unlock(`${this.p}lock:${name}`, owner);
    });
  }

  announce(nodeId: string, info: NodeInfo, ttlMs: number): Promise<void> {
    return this.call(() => this.console.announce(nodeId, info, ttlMs));
  }

  nodes(): Promise<Array<NodeInfo & { nodeId: string; announced: number }>> {
    return this.call(() => this.console.nodes());
  }

  subscribe(listener: (e: JobEvent) => void): () => void {
    return this.jobEvents.listeners.add(listener);
  }

  appendLog(id: string, lines: JobLogLine[]): Promise<void> {
    return this.call(() => this.console.appendLog(id, lines));
  }

  readLog(id: string, after?: number): Promise<JobLogLine[]> {
    return this.call(() => this.console.readLog(id, after));
  }

  activity(now: number): Promise<ActivityStats> {
    return this.call(() => this.console.activity(now));
  }

  /** Start-up work of the console features: the events subscription and the index backfills. */
  async startConsole(): Promise<void> {
    await this.jobEvents.start();
    await this.console.backfillCreated();
    // Only after an upgrade has it work to do (a slice at a time); until it ends, lists combining
    // filters leave out the jobs not yet added. A failure retries at the next start.
    void this.console.backfillCounts().catch(() => {});
  }

  createToken(t: NewToken): Promise<CreateTokenResult> {
    return this.call(() => this.tokens.create(t));
  }

  listTokens(): Promise<TokenRecord[]> {
    return this.call(() => this.tokens.list());
  }

  findToken(prefix: string): Promise<TokenRecord | null> {
    return this.call(() => this.tokens.find(prefix));
  }

  revokeToken(name: string, now: number): Promise<boolean> {
    return this.call(() => this.tokens.revoke(name, now));
  }

  touchToken(name: string, now: number): Promise<void> {
    return this.call(() => this.tokens.touch(name, now));
  }

  sharedSecret(name: string, candidate: string): Promise<string> {
    return this.call(() => this.tokens.sharedSecret(name, candidate));
  }

  ping(): Promise<void> {
    // A write, not PING: a read-only replica or a full disk (MISCONF) must show as not ready.
    return this.call(async () => {
      await this.redis.set(`${this.p}ping`, String(Date.now()), 'PX', 60_000);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.events.emit('work');
    await this.jobEvents.close();
    await this.dispatch.close();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
