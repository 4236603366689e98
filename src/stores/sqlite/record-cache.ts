/**
 * Recently read job records, for GET /jobs/{id} — the route every client polls, where the row
 * read cost as much as all the rest of the answer. A record is served from here only while the
 * database is unchanged since it was read: the connection's write count (db.ts) moves with every
 * statement of this process that may write (any job update, log line, token), `PRAGMA
 * data_version` with every commit of another connection (the CLI, another process on the same
 * file). Any change empties the cache. data_version is asked at most once a millisecond (under
 * load a dozen requests share one answer): a write by another process is seen within 1 ms, one
 * by this process at once — never later than a client polling the job could tell.
 *
 * Records are frozen: one object is handed to every caller, and none may change it.
 */
import type Database from 'better-sqlite3';
import { writeCount } from './db.js';
import type { JobRecord } from '../job-store.js';

const MAX = 2048;

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

export class RecordCache {
  private readonly records = new Map<string, JobRecord>();
  private readonly version: Database.Statement<[], number>;
  private changes = -1;
  private dataVersion = -1;
  private askedAt = -Infinity;

  constructor(private readonly db: Database.Database) {
    this.version = db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  /** The record, read by `read` unless an unchanged database already gave it. */
  get(id: string, read: () => JobRecord | null): JobRecord | null {
    const changes = writeCount(this.db);
    const now = performance.now();
    let dataVersion = this.dataVersion;
    if (now - this.askedAt >= 1) {
      dataVersion = this.version.get()!;
      this.askedAt = now;
    }
    if (changes !== this.changes || dataVersion !== this.dataVersion) {
      this.records.clear();
      this.changes = changes;
      this.dataVersion = dataVersion;
    }
    const hit = this.records.get(id);
    if (hit) return hit;
    const r = read();
    if (r) {
      if (this.records.size >= MAX) this.records.delete(this.records.keys().next().value!);
      this.records.set(id, deepFreeze(r));
    }
    return r;
  }
}
