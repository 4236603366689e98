/**
 * JobStore on SQLite (better-sqlite3). Every state change is one conditional UPDATE whose WHERE
 * clause encodes the allowed transition (src/jobs/status.ts) and the lease owner, so a stale
 * worker can never overwrite a job that was reclaimed or dismissed.
 */
import { RecordCache } from './record-cache.js';
import { waitForEvent } from '../wait-event.js';
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { sourcesOf } from '../../jobs/status.js';
import type { ActivityStats, FinishResult, JobEvent, JobLogLine, JobPage, JobRecord, JobStore, ListQuery, NewJob, NodeInfo, SweepResult } from '../job-store.js';
import { JobListeners, toEvent } from '../job-events.js';
import { consoleQueries } from './console.js';
import { SqliteJobList } from './job-list.js';
import { migrate, openDatabase, type DB } from './db.js';
import { toRecord, type JobRow } from './rows.js';
import { FairClaim } from './fair-claim.js';
import { SqliteQuota } from './quota.js';
import { QuotaExceededError } from '../job-store.js';
import { SqliteTokens } from './tokens.js';
import type { CreateTokenResult, NewToken, TokenRecord } from '../tokens.js';

/** Jobs deleted per purge transaction: ~1.5 ms each (50: ~2.5 ms, with a WAL checkpoint up to ~6; bench/joblist). */
const PURGE_SLICE = 25;

const inList = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(',');

export class SqliteJobStore implements JobStore {
  readonly kind = 'sqlite' as const;
  private readonly db: DB;
  private readonly events = new EventEmitter();
  private closed = false;
  private pendingCreates: Array<{ job: NewJob; resolve: (r: { job: JobRecord; created: boolean }) => void; reject: (e: unknown) => void }> = [];
  private readonly q;
  /** Job events: one SQLite database serves one node, so an in-process emitter reaches everyone. */
  private readonly listeners = new JobListeners();
  private readonly c;
  private readonly tokens: SqliteTokens;
  private readonly quota: SqliteQuota;
  private readonly fair: FairClaim;
  private readonly jobList: SqliteJobList;
  private readonly records: RecordCache;

  constructor(file: string, opts: { nativeBinding?: string; migrate?: boolean } = {}) {
    this.db = openDatabase(file, opts);
    if (opts.migrate !== false) migrate(this.db);
    this.tokens = new SqliteTokens(this.db, file);
    this.quota = new SqliteQuota(this.db);
    this.fair = new FairClaim(this.db);
    this.jobList = new SqliteJobList(this.db);
    this.records = new RecordCache(this.db);
    this.events.setMaxListeners(0);
    const db = this.db;
    this.q = {
      get: db.prepare<[string], JobRow>('SELECT * FROM jobs WHERE id = ?'),
      byDedup: db.prepare<[string], JobRow>(
        `SELECT * FROM jobs WHERE dedup_key = ? AND status IN ('accepted','running','successful')`,
      ),
      forgetDedup: db.prepare('UPDATE jobs SET dedup_key = NULL WHERE id = ?'),
      insert: db.prepare(
        `INSERT INTO jobs (id, process_id, status, inputs, dedup_key, meta, max_attempts, created, updated, owner)
         VALUES (@id, @processId, 'accepted', @inputs, @dedupKey, @meta, @maxAttempts, @now, @now, @owner)`,
      ),
      heartbeat: db.prepare(
        `UPDATE jobs SET locked_until = @until, updated = @now,
           progress = coalesce(@progress, progress), message = coalesce(@message, message)
         WHERE id = @id AND status = 'running' AND worker_id = @worker`,
      ),
      finish: db.prepare(
        `UPDATE jobs SET status = @status, outputs = @outputs, error = @error, progress = coalesce(@progress, progress),
           message = @message, finished = @now, updated = @now, worker_id = NULL, locked_until = NULL,
           expires_at = @expires
         WHERE id = @id AND status = 'running' AND worker_id = @worker`,
      ),
      release: db.prepare(
        `UPDATE jobs SET status = 'accepted', attempts = max(attempts - 1, 0), worker_id = NULL,
           locked_until = NULL, message = @message, updated = @now
         WHERE id = @id AND status = 'running' AND worker_id = @worker`,
      ),
      dismiss: db.prepare<[{ now: number; ttl: number; id: string }], JobRow>(
        `UPDATE jobs SET status = 'dismissed', message = 'dismissed', updated = @now,
           finished = coalesce(finished, @now), worker_id = NULL, locked_until = NULL, expires_at = @now + @ttl
         WHERE id = @id AND status IN (${inList(sourcesOf('dismissed'))})
         RETURNING *`,
      ),
      stalled: db.prepare<[number], JobRow>(`SELECT * FROM jobs WHERE status = 'running' AND locked_until < ?`),
      requeue: db.prepare(
        `UPDATE jobs SET status = 'accepted', worker_id = NULL, locked_until = NULL, updated = @now, message = @message
         WHERE id = @id AND status = 'running' AND locked_until < @cutoff`,
      ),
      failStalled: db.prepare(
        `UPDATE jobs SET status = 'failed', worker_id = NULL, locked_until = NULL, updated = @now, finished = @now,
           message = @message, error = @error, expires_at = @expires
         WHERE id = @id AND status = 'running' AND locked_until < @cutoff`,
      ),
      expired: db.prepare<[number, number], string>('SELECT id FROM jobs WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT ?').pluck(),
      del: db.prepare('DELETE FROM jobs WHERE id = ?'),
      lockTake: db.prepare(
        `INSERT INTO locks (name, owner, expires_at) VALUES (@name, @owner, @until)
         ON CONFLICT (name) DO UPDATE SET owner = @owner, expires_at = @until
           WHERE locks.expires_at <= @now OR locks.owner = @owner`,
      ),
      unlock: db.prepare('DELETE FROM locks WHERE name = ? AND owner = ?'),
    };
    this.c = consoleQueries(db);
  }

  /**
   * Group commit: creates that arrive in the same event-loop turn share one transaction, since
   * each commit costs a dozen WAL writes and file-lock calls. A caller's promise resolves only
   * after the commit, so a 201 is never sent for a job that is not on disk.
   */
  create(job: NewJob): Promise<{ job: JobRecord; created: boolean }> {
    return new Promise((resolve, reject) => {
      this.pendingCreates.push({ job, resolve, reject });
      if (this.pendingCreates.length === 1) setImmediate(() => this.flushCreates());
    });
  }

  private flushCreates(): void {
    const batch = this.pendingCreates;
    this.pendingCreates = [];
    let results: Array<{ job: JobRecord; created: boolean } | QuotaExceededError>;
    try {
      results = this.db.transaction(() => batch.map((p) => this.createOne(p.job, Date.now()))).immediate();
    } catch (e) {
      // One bad row must not fail its neighbours: retry them one transaction each.
      for (const p of batch) {
        try {
          const r = this.db.transaction(() => this.createOne(p.job, Date.now())).immediate();
          if (r instanceof QuotaExceededError) p.reject(r);
          else {
            p.resolve(r);
            if (r.created) this.notify(r.job);
          }
        } catch (err) {
          p.reject(err);
        }
      }
      this.events.emit('work');
      return;
    }
    // A refusal is an answer, not a failure: it must not roll back its neighbours' inserts.
    batch.forEach((p, i) => {
      const r = results[i];
      if (r instanceof QuotaExceededError) p.reject(r);
      else p.resolve(r);
    });
    const made = results.filter((r): r is { job: JobRecord; created: boolean } => !(r instanceof QuotaExceededError) && r.created);
    for (const r of made) this.notify(r.job);
    if (made.length) this.events.emit('work');
  }

  private createOne(job: NewJob, now: number): { job: JobRecord; created: boolean } | QuotaExceededError {
    if (job.id) {
      const existing = this.q.get.get(job.id);
      if (existing) return { job: toRecord(existing), created: false };
    }
    if (job.dedupKey) {
      const live = this.q.byDedup.get(job.dedupKey);
      if (live && (live.expires_at === null || live.expires_at > now)) return { job: toRecord(live), created: false };
      if (live) this.q.forgetDedup.run(live.id); // expired but not yet purged: it must not block a new job
    }
    // After the joins above (a join counts against no limit), in the same transaction as the insert.
    const refused = job.limits ? this.quota.check(job.owner ?? null, job.limits, now) : null;
    if (refused) return refused;
    const id = job.id ?? randomUUID();
    this.q.insert.run({
      id,
      processId: job.processId,
      inputs: JSON.stringify(job.inputs),
      dedupKey: job.dedupKey ?? null,
      meta: JSON.stringify(job.meta ?? {}),
      maxAttempts: job.maxAttempts,
      now,
      owner: job.owner ?? null,
    });
    this.quota.admitted(job.owner ?? null, job.limits, now);
    return { job: toRecord(this.q.get.get(id)!), created: true };
  }

  async get(id: string): Promise<JobRecord | null> {
    return this.records.get(id, () => {
      const r = this.q.get.get(id);
      return r ? toRecord(r) : null;
    });
  }

  async list(q: ListQuery): Promise<JobPage> {
    return this.jobList.list(q);
  }

  async claim(workerId: string, leaseMs: number, processes?: readonly string[]): Promise<JobRecord | null> {
    const now = Date.now();
    const r = this.fair.claim(workerId, now + leaseMs, now, processes);
    if (!r) return null;
    const rec = toRecord(r);
    this.notify(rec);
    return rec;
  }

  async heartbeat(id: string, workerId: string, leaseMs: number, progress?: { percent: number; message?: string }): Promise<boolean> {
    const now = Date.now();
    const pct = progress ? Math.max(0, Math.min(100, Math.round(progress.percent))) : null;
    // Synchronous driver: nothing runs between this read and the update.
    const before = progress ? this.c.progressOf(id) : undefined;
    const ours = this.q.heartbeat.run({ id, worker: workerId, until: now + leaseMs, now, progress: pct, message: progress?.message ?? null }).changes === 1;
    if (ours && before && (before.progress !== pct || (progress?.message !== undefined && before.message !== progress.message))) this.notifyId(id);
    return ours;
  }

  async finish(id: string, workerId: string, result: FinishResult, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const ok = result.status === 'successful';
    const done = this.db.transaction(() => {
      const changed =
        this.q.finish.run({
          id,
          worker: workerId,
          status: result.status,
          outputs: ok ? JSON.stringify(result.outputs) : null,
          error: ok ? null : JSON.stringify(result.error),
          progress: ok ? 100 : null,
          message: ok ? (result.message ?? 'done') : result.error.message,
          now,
          expires: now + ttlMs,
        }).changes === 1;
      if (changed) this.c.countEnd(result.status, now);
      return changed;
    }).immediate();
    if (done) this.notifyId(id);
    return done;
  }

  async release(id: string, workerId: string, message: string): Promise<boolean> {
    const changed = this.q.release.run({ id, worker: workerId, message, now: Date.now() }).changes === 1;
    if (changed) this.notifyId(id);
    if (changed) this.events.emit('work');
    return changed;
  }

  async dismiss(id: string, ttlMs: number): Promise<JobRecord | null> {
    const r = this.q.dismiss.get({ now: Date.now(), ttl: ttlMs, id });
    if (r) {
      const rec = toRecord(r);
      this.notify(rec);
      return rec;
    }
    return this.get(id);
  }

  async sweepStalled(cutoff: number, ttlMs: number): Promise<SweepResult> {
    const out: SweepResult = { requeued: [], failed: [] };
    const now = Date.now();
    this.db.transaction(() => {
      for (const row of this.q.stalled.all(cutoff)) {
        if (row.attempts < row.max_attempts) {
          const message = `re-queued: worker ${row.worker_id} stopped renewing its lease (attempt ${row.attempts} of ${row.max_attempts})`;
          if (this.q.requeue.run({ id: row.id, now, cutoff, message }).changes) out.requeued.push(toRecord(this.q.get.get(row.id)!));
        } else {
          const message = `failed after ${row.attempts} attempts: the worker running it stopped (crash, kill or lost lease)`;
          const error = JSON.stringify({ message, retryable: false, code: 'attempts-exhausted' });
          if (this.q.failStalled.run({ id: row.id, now, cutoff, message, error, expires: now + ttlMs }).changes) {
            out.failed.push(toRecord(this.q.get.get(row.id)!));
            this.c.countEnd('failed', now);
          }
        }
      }
    }).immediate();
    for (const j of [...out.requeued, ...out.failed]) this.notify(j);
    if (out.requeued.length) this.events.emit('work');
    return out;
  }

  async purgeExpired(now: number): Promise<string[]> {
    // In slices, each its own short transaction, with the event loop free between them: a
    // retention sweep over a large store never holds requests for more than a few ms.
    const all: string[] = [];
    for (;;) {
      const ids = this.db.transaction(() => {
        const ids = this.q.expired.all(now, PURGE_SLICE);
        for (const id of ids) this.q.del.run(id); // job_log rows go with it (ON DELETE CASCADE)
        return ids;
      }).immediate();
      all.push(...ids);
      if (ids.length < PURGE_SLICE || this.closed) break;
      await new Promise((r) => setImmediate(r));
    }
    if (!this.closed) {
      this.c.pruneMinutes(now);
      this.quota.purge(now);
    }
    return all;
  }

  waitForWork(ms: number, signal?: AbortSignal): Promise<void> {
    return waitForEvent(this.events, 'work', ms, signal);
  }

  async tryLock(name: string, owner: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return this.q.lockTake.run({ name, owner, until: now + ttlMs, now }).changes === 1;
  }

  async unlock(name: string, owner: string): Promise<void> {
    this.q.unlock.run(name, owner);
  }

  // One SQLite database serves one node: the registry can live in memory.
  private readonly registry = new Map<string, NodeInfo & { until: number; announced: number }>();

  async announce(nodeId: string, info: NodeInfo, ttlMs: number): Promise<void> {
    const now = Date.now();
    this.registry.set(nodeId, { marker: info.marker, workers: info.workers, processes: info.processes, announced: now, until: now + ttlMs });
  }

  async nodes(): Promise<Array<NodeInfo & { nodeId: string; announced: number }>> {
    const now = Date.now();
    for (const [id, n] of this.registry) if (n.until <= now) this.registry.delete(id);
    return [...this.registry].map(([nodeId, n]) => ({ nodeId, marker: n.marker, workers: n.workers, ...(n.processes ? { processes: n.processes } : {}), announced: n.announced }));
  }

  subscribe(listener: (e: JobEvent) => void): () => void {
    return this.listeners.add(listener);
  }

  private notify(job: JobRecord): void {
    if (this.listeners.size) this.listeners.emit(toEvent(job));
  }

  private notifyId(id: string): void {
    if (!this.listeners.size) return;
    const e = this.c.eventOf(id);
    if (e) this.listeners.emit(e);
  }

  async appendLog(id: string, lines: JobLogLine[]): Promise<void> {
    this.c.appendLog(id, lines);
  }

  async readLog(id: string, after?: number): Promise<JobLogLine[]> {
    return this.c.readLog(id, after);
  }

  async activity(now: number): Promise<ActivityStats> {
    return this.c.activity(now);
  }

  async createToken(t: NewToken): Promise<CreateTokenResult> {
    return this.tokens.create(t);
  }

  async listTokens(): Promise<TokenRecord[]> {
    return this.tokens.list();
  }

  async findToken(prefix: string): Promise<TokenRecord | null> {
    return this.tokens.find(prefix);
  }

  async revokeToken(name: string, now: number): Promise<boolean> {
    return this.tokens.revoke(name, now);
  }

  async touchToken(name: string, now: number): Promise<void> {
    this.tokens.touch(name, now);
  }

  async sharedSecret(name: string, candidate: string): Promise<string> {
    return this.tokens.sharedSecret(name, candidate);
  }

  async ping(): Promise<void> {
    // Take the write lock, not just a read: readiness means jobs can be accepted.
    this.db.transaction(() => this.db.prepare('SELECT count(*) FROM schema_migrations').get()).immediate();
  }

  /** Online backup to a file (not part of JobStore: SQLite only). Returns the pages copied. */
  async backup(dest: string): Promise<number> {
    const r = await this.db.backup(dest);
    return r.totalPages;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pendingCreates.length) this.flushCreates();
    this.events.emit('work');
    this.listeners.clear();
    this.db.close();
  }
}
