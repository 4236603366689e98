/**
 * The job list on SQLite at any size: keyset pages in (created, rowid) order, each equality
 * filter combination walked along an index that is already in that order (several combinations,
 * e.g. two statuses, merged here), counts from the job_counts table (migration 005). Nothing
 * counts or sorts the table, so a page costs the same with ten jobs as with a million.
 */
import type { Statement } from 'better-sqlite3';
import { JOB_STATUSES } from '../../jobs/status.js';
import type { JobPage, JobSummary, ListCursor, ListQuery } from '../job-store.js';
import { asciiLower, durationWithin, LIST_SCAN_BUDGET } from '../job-store.js';
import type { DB } from './db.js';

/** The list's columns: a JobSummary's, and the position. */
const SUMMARY = 'rowid AS rid, id, process_id, status, message, progress, created, started, finished, updated, owner';

interface Key extends Omit<JobSummary, 'processId'> {
  rid: number;
  process_id: string;
  inputs?: string;
}

/** One equality combination: its WHERE terms and their values. */
interface Combo {
  where: string[];
  args: unknown[];
}

/**
 * The combinations whose rows, merged, are the filtered list. Each is fully served by one index
 * in created order: status (jobs_queue), owner (jobs_owner), status+owner (jobs_owner_status),
 * process (jobs_process), process+status (jobs_process_status), owner+process+status
 * (jobs_owner_process; an owner with processes walks every status so the index stays usable).
 */
function combos(q: ListQuery): Combo[] {
  const st = q.status ?? [];
  const pr = q.processId ?? [];
  const own: Combo = q.owner === undefined ? { where: [], args: [] } : { where: ['owner = ?'], args: [q.owner] };
  const statuses = pr.length && q.owner !== undefined && !st.length ? [...JOB_STATUSES] : st;
  const byStatus = statuses.length ? statuses.map((s) => ({ where: ['status = ?'], args: [s] as unknown[] })) : [{ where: [], args: [] }];
  const byProcess = pr.length ? pr.map((p) => ({ where: ['process_id = ?'], args: [p] as unknown[] })) : [{ where: [], args: [] }];
  return byProcess.flatMap((p) => byStatus.map((s) => ({ where: [...own.where, ...p.where, ...s.where], args: [...own.args, ...p.args, ...s.args] })));
}

/** The SQL of each combination's walk from the query's position (exported for the plan test). */
export function walkQueries(q: ListQuery, cols: string): Array<{ sql: string; args: unknown[] }> {
  const back = q.before !== undefined;
  const order = back ? 'ASC' : 'DESC';
  const common: string[] = [];
  const commonArgs: unknown[] = [];
  if (q.createdFrom !== undefined) common.push('created >= ?'), commonArgs.push(q.createdFrom);
  if (q.createdTo !== undefined) common.push('created <= ?'), commonArgs.push(q.createdTo);
  const at = q.before ?? q.after;
  if (at) common.push(`(created, rowid) ${back ? '>' : '<'} (?, ?)`), commonArgs.push(at.created, at.key);
  return combos(q).map((c) => {
    const where = [...c.where, ...common];
    return { sql: `SELECT ${cols} FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created ${order}, rowid ${order}`, args: [...c.args, ...commonArgs] };
  });
}

const cursorOf = (k: Key): ListCursor => ({ created: k.created, key: k.rid });

export class SqliteJobList {
  private readonly stmts = new Map<string, Statement>();

  constructor(private readonly db: DB) {}

  list(q: ListQuery): JobPage {
    const back = q.before !== undefined;
    const needle = q.q ? asciiLower(q.q) : '';
    const timed = q.minDuration !== undefined || q.maxDuration !== undefined;
    const now = Date.now();
    if (q.offset > 0 && !needle && !timed) {
      // An offset is skipped over positions only (two columns a row, not a summary); the page
      // is then read from the position reached.
      const skip = this.merged(q, 'rowid AS rid, created');
      let k: Key | null = null;
      try {
        for (let i = 0; i < q.offset && (k = skip.take()); i++);
      } finally {
        skip.close();
      }
      if (!k) return { jobs: [], total: this.total(q), next: null, first: null, ...(back ? { newer: false } : {}) };
      return this.list({ ...q, offset: 0, [back ? 'before' : 'after']: cursorOf(k) });
    }

    const walk = this.merged(q, needle ? `${SUMMARY}, inputs` : SUMMARY);
    const picked: Key[] = [];
    let skip = q.offset;
    let rejected = 0;
    let more = false;
    let resume: Key | null = null;
    try {
      for (let k = walk.take(); k; k = walk.take()) {
        if ((needle && !asciiLower(k.inputs!).includes(needle)) || (timed && !durationWithin(q, k.started, k.finished, now))) {
          if (++rejected >= LIST_SCAN_BUDGET) {
            // Budget spent: stop here and let the next page go on from this row.
            more = true;
            resume = k;
            break;
          }
          continue;
        }
        if (skip > 0) {
          skip--;
          continue;
        }
        if (picked.length === q.limit) {
          more = true;
          break;
        }
        picked.push(k);
      }
    } finally {
      walk.close();
    }
    if (back) picked.reverse();

    const jobs = picked.map(({ rid: _, inputs: __, process_id, ...rest }) => ({ ...rest, processId: process_id }));
    const last = picked.at(-1);
    const page: JobPage = {
      jobs,
      total: this.total(q),
      next: back ? (last ? cursorOf(last) : null) : more ? cursorOf(resume ?? last!) : null,
      first: picked.length ? cursorOf(picked[0]) : null,
    };
    if (back) page.newer = more;
    return page;
  }

  /**
   * The rows of every filter combination from the query's position, merged in list order. One
   * iterator per combination; each needs its own statement (better-sqlite3 runs one iteration per
   * statement at a time).
   */
  private merged(q: ListQuery, cols: string): { take: () => Key | null; close: () => void } {
    const back = q.before !== undefined;
    const its = walkQueries(q, cols).map(({ sql, args }, i) => this.stmt(sql, i).iterate(...args) as IterableIterator<Key>);
    const heads = its.map((it) => it.next());
    const older = (a: Key, b: Key) => (a.created !== b.created ? a.created < b.created : a.rid < b.rid);
    const take = (): Key | null => {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h.done) continue;
        if (best < 0 || (back ? older(h.value, heads[best].value as Key) : older(heads[best].value as Key, h.value))) best = i;
      }
      if (best < 0) return null;
      const v = heads[best].value as Key;
      heads[best] = its[best].next();
      return v;
    };
    return { take, close: () => its.forEach((it) => it.return?.()) };
  }

  /** numberMatched from the counters (a sum over a few rows of job_counts); null where that would take a scan. */
  private total(q: ListQuery): number | null {
    if (q.q || q.createdFrom !== undefined || q.createdTo !== undefined || q.minDuration !== undefined || q.maxDuration !== undefined) return null;
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.status?.length) where.push(`status IN (${q.status.map(() => '?').join(',')})`), args.push(...q.status);
    if (q.processId?.length) where.push(`process_id IN (${q.processId.map(() => '?').join(',')})`), args.push(...q.processId);
    if (q.owner !== undefined) where.push('owner_key = ?'), args.push(q.owner);
    const sql = `SELECT coalesce(sum(n), 0) FROM job_counts ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`;
    return this.stmt(sql, 0).pluck().get(...args) as number;
  }

  /** Prepared once per SQL text and slot (filters repeat; their shapes are few). */
  private stmt(sql: string, slot: number): Statement {
    const key = `${slot}\u0000${sql}`;
    let s = this.stmts.get(key);
    if (!s) {
      s = this.db.prepare(sql);
      if (this.stmts.size > 500) this.stmts.clear();
      this.stmts.set(key, s);
    }
    return s;
  }
}
