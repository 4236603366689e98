/**
 * SQLite: every filter combination of the job list walks an index already in list order, so a
 * page never sorts or scans the table, whatever its size (bench/joblist measures it at 1M jobs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { ListQuery } from '../../src/stores/job-store.js';
import { SqliteJobStore } from '../../src/stores/sqlite/sqlite-store.js';
import { walkQueries } from '../../src/stores/sqlite/job-list.js';

const dir = mkdtempSync(join(tmpdir(), 'subsetd-plan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite job list query plans', () => {
  it('walks one index in (created, rowid) order for every combination, searching every equality filter', async () => {
    const file = join(dir, 'subsetd.db');
    await new SqliteJobStore(file).close(); // the schema
    const db = new Database(file, { readonly: true });
    const at = { created: 1, key: 1 };
    const shapes: Array<Partial<ListQuery>> = [
      {},
      { status: ['failed'] },
      { status: ['failed', 'dismissed'] },
      { processId: ['sleep'] },
      { processId: ['sleep'], status: ['accepted'] },
      { owner: 'alice' },
      { owner: 'alice', status: ['failed'] },
      { owner: 'alice', processId: ['sleep'] },
      { owner: 'alice', processId: ['sleep', 'hello-world'], status: ['failed', 'running'] },
      { createdFrom: 1, createdTo: 2, status: ['failed'] },
    ];
    for (const shape of shapes) {
      for (const pos of [{}, { after: at }, { before: at }]) {
        for (const { sql, args } of walkQueries({ limit: 50, offset: 0, ...shape, ...pos }, 'rowid AS rid, created')) {
          const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
          const what = `${JSON.stringify({ ...shape, ...pos })}: ${plan}`;
          expect(plan, what).not.toMatch(/TEMP B-TREE/);
          expect(plan, what).toMatch(/USING (COVERING )?INDEX/);
          // Every equality filter is a search term of that index: no row is read only to be dropped.
          for (const [, col] of sql.matchAll(/(\w+) = \?/g)) expect(plan, what).toContain(`${col}=?`);
        }
      }
    }
    db.close();
  });
});
