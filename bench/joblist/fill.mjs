// Fills a store with N ended jobs directly (SQL / Lua), in the layout the stores leave them in,
// so a million-job store takes a minute instead of hours of submitting and running. 96 %
// successful, 2 % failed, 2 % dismissed; four processes; owners alice, bob, carol; created over
// the last N × 2.5 s. The SQLite triggers keep the list counters; the Lua keeps the combination
// sets as src/stores/redis/lua-jobs.ts (tally) does (bench/joblist checks numberMatched against these figures).
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';

export const PROCS = ['netcdf-subset', 'clip-raster', 'hello-world', 'sleep'];
export const OWNERS = ['alice', 'bob', 'carol'];
const STEP_MS = 2500;
const YEAR_MS = 365 * 86_400_000;
export const statusOf = (i) => (i % 50 === 7 ? 'failed' : i % 50 === 13 ? 'dismissed' : 'successful');

/** Expected counts for a filter over the filled jobs (i = 0 .. n-1). */
export function expected(n, { status, proc, owner } = {}) {
  let c = 0;
  for (let i = 0; i < n; i++) if ((!status || status.includes(statusOf(i))) && (!proc || proc.includes(PROCS[i % 4])) && (!owner || owner === OWNERS[i % 3])) c++;
  return c;
}

export function fillSqlite(file, n, now = Date.now()) {
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  const ins = db.prepare(
    `INSERT INTO jobs (id, process_id, status, inputs, meta, progress, message, attempts, max_attempts, created, started, finished, updated, outputs, error, expires_at, owner)
     VALUES (?, ?, ?, ?, '{}', 100, ?, 1, 3, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const slice = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const st = statusOf(i);
      const created = now - (n - i) * STEP_MS;
      ins.run(randomUUID(), PROCS[i % 4], st, `{"name":"job ${i}"}`, st, created, created, created + 1000, created + 1000,
        st === 'successful' ? '{}' : null, st === 'failed' ? '{"message":"failed","retryable":false}' : null, now + YEAR_MS, OWNERS[i % 3]);
    }
  });
  for (let i = 0; i < n; i += 50_000) slice(i, Math.min(n, i + 50_000));
  db.close();
}

const FILL_LUA = `
local p, from, n, now, total = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local procs = {'netcdf-subset', 'clip-raster', 'hello-world', 'sleep'}
local owners = {'alice', 'bob', 'carol'}
local function f(x) return string.format('%.0f', x) end
for i = from, from + n - 1 do
  local id = string.format('fill-%08d', i)
  local seq = redis.call('INCR', p .. 'seq')
  local created = now - (total - i) * ${STEP_MS}
  local st = 'successful'
  if i % 50 == 7 then st = 'failed' elseif i % 50 == 13 then st = 'dismissed' end
  local pr, ow, exp = procs[i % 4 + 1], owners[i % 3 + 1], now + ${YEAR_MS}
  local k = p .. 'job:' .. id
  redis.call('HSET', k, 'id', id, 'processId', pr, 'status', st, 'inputs', '{"name":"job ' .. i .. '"}', 'meta', '{}',
    'progress', '100', 'message', st, 'attempts', '1', 'maxAttempts', '3', 'created', f(created), 'started', f(created),
    'finished', f(created + 1000), 'updated', f(created + 1000), 'seq', seq, 'dispatch', '1', 'counted', '1', 'owner', ow, 'expiresAt', f(exp))
  if st == 'successful' then redis.call('HSET', k, 'outputs', '{}') end
  if st == 'failed' then redis.call('HSET', k, 'error', '{"message":"failed","retryable":false}') end
  redis.call('ZADD', p .. 'all', seq, id)
  redis.call('ZADD', p .. 'created', f(created), id)
  redis.call('ZADD', p .. 'status:' .. st, seq, id)
  redis.call('ZADD', p .. 'proc:' .. pr, seq, id)
  redis.call('SADD', p .. 'procs', pr)
  redis.call('ZADD', p .. 'owner:' .. ow, seq, id)
  redis.call('ZADD', p .. 'expiry', f(exp), id)
  redis.call('ZADD', p .. 'sp:' .. st .. '|' .. pr, seq, id)
  redis.call('ZADD', p .. 'osp:' .. ow .. '|' .. st .. '|' .. pr, seq, id)
end
redis.call('SET', p .. 'created:indexed', '1')
redis.call('SET', p .. 'counts:indexed', '1')
return n
`;

export async function fillRedis(redis, n, prefix = 'subsetd', now = Date.now()) {
  const p = `${prefix}:`;
  for (let i = 0; i < n; i += 1000) await redis.eval(FILL_LUA, 0, p, String(i), String(Math.min(1000, n - i)), String(now), String(n));
}

/** Makes `count` successful filled jobs expire now (the next sweep purges them). */
export async function expireSqlite(file, count) {
  const db = new Database(file);
  db.pragma('busy_timeout = 10000');
  db.prepare(`UPDATE jobs SET expires_at = ? WHERE rowid IN (SELECT rowid FROM jobs WHERE status = 'successful' ORDER BY rowid LIMIT ?)`).run(Date.now() - 1, count);
  // Checkpointed here: else the service's next commit would copy this bulk write's thousands of
  // WAL pages, a hold that is this script's, not the sweep's.
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

export async function expireRedis(redis, count, prefix = 'subsetd') {
  const lua = `
local ids = redis.call('ZRANGE', ARGV[1] .. 'status:successful', 0, tonumber(ARGV[2]) - 1)
for _, id in ipairs(ids) do redis.call('ZADD', ARGV[1] .. 'expiry', ARGV[3], id) end
return #ids`;
  await redis.eval(lua, 0, `${prefix}:`, String(count), String(Date.now() - 1));
}
