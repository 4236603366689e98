/**
 * Per-owner limits for the SQLite store, checked inside the create transaction (so the check and
 * the insert are one step: with IMMEDIATE transactions no other writer runs in between).
 */
import { QUOTA_WINDOW_MS, QuotaExceededError, type OwnerLimits } from '../job-store.js';
import type { DB } from './db.js';

/** Owner key of the quota and turn tables: jobs without an owner count as one owner, ''. */
export const ownerKey = (owner: string | null | undefined) => owner ?? '';

export class SqliteQuota {
  private readonly q;

  constructor(db: DB) {
    this.q = {
      live: db.prepare<[string | null], number>(`SELECT count(*) FROM jobs WHERE status IN ('accepted','running') AND owner IS ?`).pluck(),
      prune: db.prepare('DELETE FROM quota_submissions WHERE owner_key = ? AND at <= ?'),
      count: db.prepare<[string], number>('SELECT count(*) FROM quota_submissions WHERE owner_key = ?').pluck(),
      nth: db.prepare<[string, number], number>('SELECT at FROM quota_submissions WHERE owner_key = ? ORDER BY at LIMIT 1 OFFSET ?').pluck(),
      record: db.prepare('INSERT INTO quota_submissions (owner_key, at) VALUES (?, ?)'),
      purge: db.prepare('DELETE FROM quota_submissions WHERE at <= ?'),
      turn: db.prepare('INSERT OR IGNORE INTO owner_turns (owner_key) VALUES (?)'),
    };
  }

  /** The limit a new job of `owner` would exceed, or null. Call inside the create transaction. */
  check(owner: string | null, limits: OwnerLimits, now: number): QuotaExceededError | null {
    const key = ownerKey(owner);
    const hourly = limits.maxJobsPerHour;
    if (hourly !== null) {
      const window = limits.windowMs ?? QUOTA_WINDOW_MS;
      this.q.prune.run(key, now - window);
      const n = this.q.count.get(key)!;
      // With n >= limit, the (n - limit + 1)-th oldest submission must leave the window first.
      if (n >= hourly) return new QuotaExceededError('max-jobs-per-hour', hourly, Math.max(1, this.q.nth.get(key, n - hourly)! + window - now));
    }
    if (limits.maxQueued !== null && this.q.live.get(owner)! >= limits.maxQueued) return new QuotaExceededError('max-queued', limits.maxQueued, null);
    return null;
  }

  /** Bookkeeping for a job just inserted: its owner gets a turn, and its submission is counted. */
  admitted(owner: string | null, limits: OwnerLimits | undefined, now: number): void {
    const key = ownerKey(owner);
    this.q.turn.run(key);
    if (limits && limits.maxJobsPerHour !== null) this.q.record.run(key, now);
  }

  /** Forgets submissions older than any window (called with the expired-job purge). */
  purge(now: number): void {
    this.q.purge.run(now - QUOTA_WINDOW_MS);
  }
}
