// The SQLite retention sweep's longest hold on the event loop, measured inside one process at
// 1 ms resolution (an HTTP client cannot resolve 10 ms on a 2-core machine shared with the
// service): the store with N filled jobs deletes `count` expired ones the way the sweeper does.
// Run by bench/joblist/index.mjs through tsx; prints one JSON line.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJobStore } from '../../src/stores/sqlite/sqlite-store.js';
import { expireSqlite, fillSqlite } from './fill.mjs';

const [n, count] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'subsetd-bench-purge-'));
try {
  const file = join(dir, 'subsetd.db');
  await new SqliteJobStore(file).close();
  fillSqlite(file, n);
  await expireSqlite(file, count);
  const store = new SqliteJobStore(file);
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  const ids = await store.purgeExpired(Date.now());
  const ms = performance.now() - t0;
  h.disable();
  await store.close();
  // The histogram's values are the times between 1 ms ticks: a block of b ms shows as ≤ b + 1.
  console.log(JSON.stringify({ purged: ids.length, ms, longestBlockMs: h.max / 1e6, p99BlockMs: h.percentile(99) / 1e6 }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
