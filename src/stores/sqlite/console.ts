/**
 * SQL for the console's reads and the job log on SQLite: log lines (append with a per-job cap,
 * read after an index), the admin figures (the job list itself: job-list.ts).
 */
import type { ActivityStats, JobEvent, JobLogLine } from '../job-store.js';
import { LOG_MAX_LINES } from '../job-store.js';
import { cleanLine } from '../job-events.js';
import type { DB } from './db.js';

interface LogRow {
  n: number;
  time: number;
  level: JobLogLine['level'];
  message: string;
  progress: number | null;
  retryable: number | null;
}


export function consoleQueries(db: DB) {
  const q = {
    // Events and progress checks read these columns only: inputs may be a large polygon.
    event: db.prepare<[string], JobEvent & { process_id: string }>(
      'SELECT id, process_id, status, message, progress, created, started, finished, updated, owner FROM jobs WHERE id = ?',
    ),
    progressOf: db.prepare<[string], { progress: number; message: string | null }>('SELECT progress, message FROM jobs WHERE id = ?'),
    exists: db.prepare<[string], number>('SELECT 1 FROM jobs WHERE id = ?').pluck(),
    count: db.prepare<[string], number>('SELECT count(*) FROM job_log WHERE job_id = ?').pluck(),
    insert: db.prepare(
      `INSERT INTO job_log (job_id, n, time, level, message, progress, retryable)
       VALUES (@id, @n, @time, @level, @message, @progress, @retryable)`,
    ),
    read: db.prepare<[string, number], LogRow>('SELECT * FROM job_log WHERE job_id = ? AND n > ? ORDER BY n'),
    countEnd: db.prepare(
      `INSERT INTO job_minutes (minute, successful, failed) VALUES (@minute, @s, @f)
       ON CONFLICT (minute) DO UPDATE SET successful = successful + @s, failed = failed + @f`,
    ),
    pruneMinutes: db.prepare<[number]>('DELETE FROM job_minutes WHERE minute < ?'),
    minutes: db.prepare<[number], { minute: number; successful: number; failed: number }>('SELECT * FROM job_minutes WHERE minute >= ?'),
    // From the counters (migration 005): no scan of a long queue.
    queue: db.prepare<[], { process_id: string; n: number }>(
      `SELECT process_id, sum(n) AS n FROM job_counts WHERE status = 'accepted' GROUP BY process_id HAVING sum(n) > 0`,
    ),
    failures: db.prepare<[], { id: string; process_id: string; finished: number; message: string | null }>(
      // INDEXED BY: the planner took jobs_queue and sorted every failed job (41 ms at a million
      // jobs, 20,000 failed); the partial index is already in this order (0.04 ms).
      `SELECT id, process_id, finished, message FROM jobs INDEXED BY jobs_failed WHERE status = 'failed' ORDER BY finished DESC LIMIT 20`,
    ),
  };

  const append = db.transaction((id: string, lines: JobLogLine[]) => {
    if (!q.exists.get(id)) return;
    let n = q.count.get(id)!;
    for (const raw of lines) {
      if (n >= LOG_MAX_LINES) return;
      const l = cleanLine(raw);
      q.insert.run({ id, n: n++, time: l.time, level: l.level, message: l.message, progress: l.progress ?? null, retryable: l.retryable === undefined ? null : Number(l.retryable) });
    }
  });

  return {
    eventOf(id: string): JobEvent | null {
      const r = q.event.get(id);
      if (!r) return null;
      const { process_id, ...rest } = r;
      return { ...rest, processId: process_id };
    },

    progressOf(id: string): { progress: number; message: string | null } | undefined {
      return q.progressOf.get(id);
    },

    appendLog(id: string, lines: JobLogLine[]): void {
      if (lines.length) append.immediate(id, lines);
    },

    readLog(id: string, after = -1): JobLogLine[] {
      return q.read.all(id, after).map((r) => {
        const l: JobLogLine = { time: r.time, level: r.level, message: r.message };
        if (r.progress !== null) l.progress = r.progress;
        if (r.retryable !== null) l.retryable = r.retryable === 1;
        return l;
      });
    },

    /** Call inside the transaction that ends the job, so the count and the end commit together. */
    countEnd(status: string, now: number): void {
      if (status !== 'successful' && status !== 'failed') return;
      q.countEnd.run({ minute: Math.floor(now / 60_000), s: status === 'successful' ? 1 : 0, f: status === 'failed' ? 1 : 0 });
    },

    /** Counters older than a day are never shown again. */
    pruneMinutes(now: number): void {
      q.pruneMinutes.run(Math.floor(now / 60_000) - 1440);
    },

    activity(now: number): ActivityStats {
      const last = Math.floor(now / 60_000);
      const byMinute = new Map(q.minutes.all(last - 59).map((r) => [r.minute, r]));
      const perMinute = Array.from({ length: 60 }, (_, i) => {
        const m = last - 59 + i;
        const r = byMinute.get(m);
        return { minute: m * 60_000, successful: r?.successful ?? 0, failed: r?.failed ?? 0 };
      });
      return {
        queue: Object.fromEntries(q.queue.all().map((r) => [r.process_id, r.n])),
        perMinute,
        failures: q.failures.all().map((r) => ({ id: r.id, processId: r.process_id, finished: r.finished, message: r.message ?? '' })),
      };
    },
  };
}
