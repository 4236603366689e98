/**
 * Lua scripts for housekeeping and reads that span many jobs: lease sweep, purge, listing,
 * undispatched-job repair, and named locks. Same conventions as lua-jobs.ts (ARGV[1] = prefix,
 * LUA_PRELUDE helpers, times as strings from Node).
 */

/**
 * ARGV: p, cutoff (exclusive, '(' prefixed), now, expiresAt, keyExpiresAt, limit
 * -> { {'requeued'|'failed', dispatch|'', hash}, ... }
 * Messages match the SQLite store word for word; the operator sees the same text in both modes.
 */
export const SWEEP = `
local now = ARGV[3]
local ids = redis.call('ZRANGEBYSCORE', p .. 'leases', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[6]))
local out = {}
for _, id in ipairs(ids) do
  local k = jk(id)
  local s = redis.call('HMGET', k, 'status', 'attempts', 'maxAttempts', 'workerId', 'seq', 'owner', 'processId')
  redis.call('ZREM', p .. 'leases', id)
  if s[1] == 'running' then
    redis.call('HDEL', k, 'workerId', 'lockedUntil')
    if tonumber(s[2]) < tonumber(s[3]) then
      local n = redis.call('HINCRBY', k, 'dispatch', 1)
      local msg = 're-queued: worker ' .. (s[4] or '?') .. ' stopped renewing its lease (attempt ' .. s[2] .. ' of ' .. s[3] .. ')'
      redis.call('HSET', k, 'status', 'accepted', 'updated', now, 'message', msg)
      move(id, s[5], 'running', 'accepted')
      enqueue(id, okey(s[6]), s[5], s[7])
      notify(id)
      table.insert(out, {'requeued', tostring(n), redis.call('HGETALL', k)})
    else
      local msg = 'failed after ' .. s[2] .. ' attempts: the worker running it stopped (crash, kill or lost lease)'
      local err = cjson.encode({message = msg, retryable = false, code = 'attempts-exhausted'})
      redis.call('HSET', k, 'status', 'failed', 'updated', now, 'finished', now, 'message', msg, 'error', err, 'expiresAt', ARGV[4])
      move(id, s[5], 'running', 'failed')
      forgetDedup(k, id)
      ended(k, id, ARGV[4], ARGV[5])
      gone(id, s[6], s[7])
      countEnd(id, 'failed', now)
      notify(id)
      table.insert(out, {'failed', '', redis.call('HGETALL', k)})
    end
  end
end
return out
`;

/** ARGV: p, now, limit, statuses(csv) -> ids deleted. Works even when the key TTL already removed the hash. */
export const PURGE = `
local ids = redis.call('ZRANGEBYSCORE', p .. 'expiry', '-inf', ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
local procs = nil
for _, id in ipairs(ids) do
  local k = jk(id)
  local s = redis.call('HMGET', k, 'processId', 'dedupKey', 'owner', 'status', 'counted', 'seq')
  if s[5] then tally(id, s[6], s[4], s[1], s[3], -1) end
  if s[2] and redis.call('GET', p .. 'dedup:' .. s[2]) == id then redis.call('DEL', p .. 'dedup:' .. s[2]) end
  if s[3] then redis.call('ZREM', p .. 'owner:' .. s[3], id) end
  -- The key TTL may have removed the hash first (owner unknown): then only its index entries go.
  if s[1] then gone(id, s[3], s[1]) end
  redis.call('DEL', k, p .. 'log:' .. id)
  redis.call('ZREM', p .. 'all', id)
  redis.call('ZREM', p .. 'created', id)
  redis.call('ZREM', p .. 'leases', id)
  redis.call('ZREM', p .. 'expiry', id)
  for st in string.gmatch(ARGV[4], '[^,]+') do redis.call('ZREM', p .. 'status:' .. st, id) end
  if s[1] then
    redis.call('ZREM', p .. 'proc:' .. s[1], id)
  else
    procs = procs or redis.call('SMEMBERS', p .. 'procs')
    for _, pr in ipairs(procs) do redis.call('ZREM', p .. 'proc:' .. pr, id) end
  end
end
return ids
`;


/**
 * ARGV: p, limit, olderThan, ticketKeyPrefix -> {id, dispatch, processId, ...} for accepted jobs
 * (oldest first, up to limit) whose BullMQ ticket key does not exist: a node died between
 * writing the record and queuing its ticket, or Redis died in between. Ticket ids follow
 * ticketId() in dispatch.ts; BullMQ keeps a job at <prefix>:jobs-<processId>:<jobId>, and
 * ticketKeyPrefix is <prefix>:jobs- (a ticket of the one queue before per-process queues is
 * not found there, so an upgrade re-tickets those jobs into their process's queue).
 */
export const MISSING_TICKETS = `
local out = {}
for _, id in ipairs(redis.call('ZRANGE', p .. 'status:accepted', 0, tonumber(ARGV[2]) - 1)) do
  local s = redis.call('HMGET', jk(id), 'dispatch', 'updated', 'processId')
  if s[1] and tonumber(s[2]) <= tonumber(ARGV[3]) then
    local ticket = ARGV[4] .. s[3] .. ':t-' .. string.gsub(id, ':', '_') .. '-' .. s[1]
    if redis.call('EXISTS', ticket) == 0 then table.insert(out, id); table.insert(out, s[1]); table.insert(out, s[3]) end
  end
end
return out
`;

/** KEYS: lock; ARGV: owner, ttlMs -> 1|0. The owner may renew its own lock. */
export const LOCK = `
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

/** KEYS: lock; ARGV: owner. Compare-and-delete: only the owner releases. */
export const UNLOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
