/**
 * Lua helpers for per-owner limits and fair dispatch, prepended to every job script after
 * LUA_PRELUDE (same conventions: `p` is the prefix, times come from Node as strings).
 *
 * Keys, per owner key `ok` ('o:<name>', or 'anon' for jobs without an owner, one owner):
 *   live:<ok>   SET   ids of the owner's accepted + running jobs (max-queued)
 *   subm:<ok>   ZSET  submissions in the sliding window, scored by time (max-jobs-per-hour);
 *                     apart from the jobs, so dismissed and purged jobs still count
 *   queue:<ok>  ZSET  the owner's accepted jobs, scored by creation sequence
 *   turns       ZSET  owners with accepted jobs, scored by when they were last served
 *   served      HASH  owner -> last served stamp (kept while the owner has nothing queued)
 *   turn        counter of served stamps
 * A claim takes the owner served least recently (ties: the oldest queued job), then that
 * owner's oldest job: owners take turns, whatever their backlog.
 */
export const QUOTA_PRELUDE = `
local function okey(owner)
  if owner and owner ~= '' then return 'o:' .. owner end
  return 'anon'
end
local function enqueue(id, ok, seq)
  redis.call('ZADD', p .. 'queue:' .. ok, seq, id)
  if not redis.call('ZSCORE', p .. 'turns', ok) then
    redis.call('ZADD', p .. 'turns', redis.call('HGET', p .. 'served', ok) or '0', ok)
  end
end
local function dequeue(id, ok)
  redis.call('ZREM', p .. 'queue:' .. ok, id)
  if redis.call('ZCARD', p .. 'queue:' .. ok) == 0 then redis.call('ZREM', p .. 'turns', ok) end
end
-- A job left accepted|running for good (finished, failed, dismissed, purged).
local function gone(id, owner)
  local ok = okey(owner)
  redis.call('SREM', p .. 'live:' .. ok, id)
  dequeue(id, ok)
end
local function served(ok)
  local st = redis.call('INCR', p .. 'turn')
  redis.call('HSET', p .. 'served', ok, st)
  if redis.call('ZSCORE', p .. 'turns', ok) then redis.call('ZADD', p .. 'turns', st, ok) end
end
-- The fair next job: {id, ok} or nil.
local function pickFair()
  local first = redis.call('ZRANGE', p .. 'turns', 0, 0, 'WITHSCORES')
  if #first == 0 then return nil end
  local best, bestOk, bestSeq = nil, nil, nil
  for _, ok in ipairs(redis.call('ZRANGEBYSCORE', p .. 'turns', first[2], first[2], 'LIMIT', 0, 100)) do
    local head = redis.call('ZRANGE', p .. 'queue:' .. ok, 0, 0, 'WITHSCORES')
    if #head > 0 and (not bestSeq or tonumber(head[2]) < bestSeq) then best, bestOk, bestSeq = head[1], ok, tonumber(head[2]) end
  end
  if best then return {best, bestOk} end
  return nil
end
-- The limit a new job would exceed: {-1, limit, value, retryAfterMs|''}, or nil.
local function overLimit(ok, maxQueued, maxPerHour, windowMs, now)
  if maxPerHour ~= '' then
    local max, w, t = tonumber(maxPerHour), tonumber(windowMs), tonumber(now)
    local sk = p .. 'subm:' .. ok
    redis.call('ZREMRANGEBYSCORE', sk, '-inf', t - w)
    local n = redis.call('ZCARD', sk)
    if n >= max then
      -- The (n - max + 1)-th oldest submission must leave the window first.
      local at = redis.call('ZRANGE', sk, n - max, n - max, 'WITHSCORES')[2]
      return {-1, 'max-jobs-per-hour', max, math.max(1, tonumber(at) + w - t)}
    end
  end
  if maxQueued ~= '' and redis.call('SCARD', p .. 'live:' .. ok) >= tonumber(maxQueued) then
    return {-1, 'max-queued', tonumber(maxQueued), ''}
  end
  return nil
end
local function admitted(id, ok, seq, maxPerHour, windowMs, now)
  redis.call('SADD', p .. 'live:' .. ok, id)
  enqueue(id, ok, seq)
  if maxPerHour ~= '' then
    redis.call('ZADD', p .. 'subm:' .. ok, now, id .. '#' .. seq) -- unique even if an id is reused after a purge
    redis.call('PEXPIRE', p .. 'subm:' .. ok, windowMs)
  end
end
`;
