/**
 * Lua scripts for the console: the job log, the admin figures, and the one-off backfill of the
 * created-time index. Same conventions as lua-jobs.ts
 * (ARGV[1] = prefix, LUA_PRELUDE helpers, times as strings from Node).
 */

/**
 * ARGV: p, id, maxLines, line(JSON)... -> lines now in the log | -1 for an unknown job.
 * The log key gets the record's remaining TTL, so it never outlives the job; PURGE deletes both.
 */
export const APPEND_LOG = `
local k, lk = jk(ARGV[2]), p .. 'log:' .. ARGV[2]
if redis.call('EXISTS', k) == 0 then return -1 end
local room = tonumber(ARGV[3]) - redis.call('LLEN', lk)
for j = 4, #ARGV do
  if room <= 0 then break end
  redis.call('RPUSH', lk, ARGV[j])
  room = room - 1
end
local ttl = redis.call('PTTL', k)
if ttl > 0 then redis.call('PEXPIRE', lk, ttl) end
return redis.call('LLEN', lk)
`;

/**
 * ARGV: p, firstMinute, minutes -> {queue {proc, n, ...}, minutes {successful, failed, ...}, failures {{id, proc, finished, message}...}}
 */
export const ACTIVITY = `
-- Queue depth per process: set intersections run in C (a Lua loop over a long queue would
-- hold Redis for every node for a noticeable time). The script is atomic: a fixed tmp key is safe.
local queue, tmp = {}, p .. 'tmp:activity'
for _, proc in ipairs(redis.call('SMEMBERS', p .. 'procs')) do
  -- ZINTERCARD (Redis 7) only counts; 6.2 lacks it and builds the intersection instead.
  local n = redis.pcall('ZINTERCARD', 2, p .. 'status:accepted', p .. 'proc:' .. proc)
  if type(n) ~= 'number' then n = redis.call('ZINTERSTORE', tmp, 2, p .. 'status:accepted', p .. 'proc:' .. proc) end
  if n > 0 then table.insert(queue, proc); table.insert(queue, n) end
end
redis.call('DEL', tmp)
local minutes = {}
for m = 0, tonumber(ARGV[3]) - 1 do
  local c = redis.call('HMGET', p .. 'minute:' .. (tonumber(ARGV[2]) + m), 'successful', 'failed')
  table.insert(minutes, tonumber(c[1] or 0)); table.insert(minutes, tonumber(c[2] or 0))
end
local failures = {}
for _, id in ipairs(redis.call('LRANGE', p .. 'failures', 0, -1)) do
  if #failures >= 20 then break end
  local f = redis.call('HMGET', jk(id), 'status', 'processId', 'finished', 'message')
  if f[1] == 'failed' then table.insert(failures, {id, f[2], f[3] or '0', f[4] or ''}) end
end
return {queue, minutes, failures}
`;

/** ARGV: p, start, count -> ids seen. Fills 'created' for jobs stored before the index existed. */
export const BACKFILL_CREATED = `
local ids = redis.call('ZRANGE', p .. 'all', tonumber(ARGV[2]), tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1)
for _, id in ipairs(ids) do
  local c = redis.call('HGET', jk(id), 'created')
  if c then redis.call('ZADD', p .. 'created', c, id) end
end
return #ids
`;
