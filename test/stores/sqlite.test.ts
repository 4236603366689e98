import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JOB_STATUSES } from '../../src/jobs/status.js';
import { openDatabase, migrate } from '../../src/stores/sqlite/db.js';
import { MIGRATIONS } from '../../src/stores/sqlite/migrations/index.js';
import { SqliteJobStore } from '../../src/stores/sqlite/sqlite-store.js';
import { jobStoreContract } from './contract.js';

const dir = mkdtempSync(join(tmpdir(), 'subsetd-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

jobStoreContract('sqlite', async () => new SqliteJobStore(join(dir, `jobs-${n++}.db`)));

describe('sqlite schema', () => {
  it('CHECK constraint lists exactly the JobStatus union', () => {
    const db = openDatabase(join(dir, 'schema.db'));
    migrate(db);
    const sql = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'jobs'").pluck().get() as string;
    const list = /status IN \(([^)]*)\)/.exec(sql)![1].split(',').map((s) => s.trim().replace(/'/g, ''));
    expect(list).toEqual([...JOB_STATUSES]);
    expect(() => db.prepare("INSERT INTO jobs (id, process_id, status, inputs, max_attempts, created, updated) VALUES ('x','p','bogus','{}',1,0,0)").run()).toThrow(/CHECK/);
    db.close();
  });

  it('migrations are idempotent and recorded', () => {
    const db = openDatabase(join(dir, 'mig.db'));
    expect(migrate(db)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrate(db)).toEqual([]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });
});
