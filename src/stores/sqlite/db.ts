/**
 * Opens the SQLite database with the pragmas that make it a safe job store, and runs migrations.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS } from './migrations/index.js';

export type DB = Database.Database;

export function openDatabase(file: string, opts: { nativeBinding?: string } = {}): DB {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { nativeBinding: opts.nativeBinding });
  // busy_timeout first: the CLI (`subsetd jobs ...`) may hold the database while the service writes.
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a process crash (kill -9); only an OS crash/power
  // loss can lose the last transactions. See docs/deploy.md.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // A checkpoint runs inside the commit that crosses this many WAL pages and holds the event loop
  // meanwhile: SQLite's 1,000 pages took ~8–12 ms here, 100 pages ~1–4 ms (bench/joblist: the
  // retention sweep must not block requests for more than 10 ms). Costs a little write throughput.
  db.pragma('wal_autocheckpoint = 100');
  countWrites(db);
  return db;
}

const counters = new WeakMap<DB, { n: number }>();

/**
 * How many statements that may write this connection has run (record-cache.ts: a cached job is
 * good while this and the database's data_version stand still). Counted in JS, by wrapping the
 * statements `prepare` makes that are not read-only, because asking SQLite (`total_changes()`)
 * on every read cost as much as the read it was to save.
 */
export function writeCount(db: DB): number {
  return counters.get(db)?.n ?? 0;
}

function countWrites(db: DB) {
  const counter = { n: 0 };
  counters.set(db, counter);
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => {
    const st = prepare(sql) as unknown as Record<string, unknown> & { readonly: boolean };
    if (st.readonly) return st;
    for (const m of ['run', 'get', 'all', 'iterate']) {
      const f = (st[m] as (...a: unknown[]) => unknown).bind(st);
      st[m] = (...a: unknown[]) => {
        counter.n++;
        return f(...a);
      };
    }
    return st;
  }) as unknown as DB['prepare'];
  const exec = db.exec.bind(db);
  db.exec = (sql: string) => {
    counter.n++;
    return exec(sql);
  };
}

/** Applies pending migrations; returns the versions applied. */
export function migrate(db: DB): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    // IMMEDIATE: two processes starting together must not both apply the same migration.
    db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM schema_migrations WHERE version = ?').get(m.version);
      if (again) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      applied.push(m.version);
    }).immediate();
  }
  return applied;
}
