/**
 * Lua helpers for per-owner limits and fair dispatch, prepended to every job script after
 * LUA_PRELUDE (same conventions: `p` is the prefix, times come from Node as strings).
 *
 * Keys, per owner key `ok` ('o:<name>', or 'anon' for jobs without an owner, one owner):
 *   live:<ok>           SET   ids of the owner's accepted + running jobs (max-queued)
 *   subm:<ok>           ZSET  submissions in the sliding window, scored by time (max-jobs-per-hour);
 *                             apart from the jobs, so dismissed and purged jobs still count
 * and for fair dispatch, with a queue per process `pr` and owner (each process has its own
 * BullMQ ticket queue, so that a node serving only some processes never sees the others' jobs):
 *   queue:<pr>:<ok>     ZSET  the owner's accepted jobs of that process, scored by creation sequence
 *   qprocs:<ok>         SET   the processes the owner has accepted jobs of
 *   qturns              ZSET  owners with accepted jobs, scored by when they were last served
 *   served              HASH  owner -> last served stamp (kept while the owner has nothing queued)
 *   turn                counter of served stamps
 * A claim over some processes takes the owner served least recently that has a job of one of
 * them (ties: the oldest such job), then that owner's oldest job of them: owners take turns,
 * whatever their backlog and whatever the processes; with one owner the order is FIFO.
 */
export const QUOTA_PRELUDE = `
local function okey(owner)
  if owner and owner ~= '' then return 'o:' .. owner end
  return 'anon'
end
local function qkey(pr, ok) return p .. 'queue:' .. pr .. ':' .. ok end
local function enqueue(id, ok, seq, pr)
  redis.call('ZADD', qkey(pr, ok), seq, id)
  redis.call('SADD', p .. 'qprocs:' .. ok, pr)
  if not redis.call('ZSCORE', p .. 'qturns', ok) then
    redis.call('ZADD', p .. 'qturns', redis.call('HGET', p .. 'served', ok) or '0', ok)
  end
end
local function dequeue(id, ok, pr)
  redis.call('ZREM', qkey(pr, ok), id)
  if redis.call('ZCARD', qkey(pr, ok)) == 0 then
    redis.call('SREM', p .. 'qprocs:' .. ok, pr)
    if redis.call('SCARD', p .. 'qprocs:' .. ok) == 0 then redis.call('ZREM', p .. 'qturns', ok) end
  end
end
-- A job left accepted|running for good (finished, failed, dismissed, purged).
local function gone(id, owner, pr)
  local ok = okey(owner)
  redis.call('SREM', p .. 'live:' .. ok, id)
  dequeue(id, ok, pr)
end
local function served(ok)
  local st = redis.call('INCR', p .. 'turn')
  redis.call('HSET', p .. 'served', ok, st)
  if redis.call('ZSCORE', p .. 'qturns', ok) then redis.call('ZADD', p .. 'qturns', st, ok) end
end
-- The fair next job among the processes in prs (a list): {id, ok, pr} or nil. Owners are read
-- in served order a page at a time; only ties of the first served level with a job compete.
local function pickFair(prs)
  local best, bestServed = nil, nil
  local from = 0
  while true do
    local page = redis.call('ZRANGE', p .. 'qturns', from, from + 99, 'WITHSCORES')
    if #page == 0 then break end
    for i = 1, #page, 2 do
      local ok, sv = page[i], tonumber(page[i + 1])
      if bestServed and sv > bestServed then return best end
      for _, pr in ipairs(prs) do
        local head = redis.call('ZRANGE', qkey(pr, ok), 0, 0, 'WITHSCORES')
        if #head > 0 and (not best or tonumber(head[2]) < best[4]) then
          best, bestServed = {head[1], ok, pr, tonumber(head[2])}, sv
        end
      end
    end
    from = from + 100
  end
  return best
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
local function admitted(id, ok, seq, maxPerHour, windowMs, now, pr)
  redis.call('SADD', p .. 'live:' .. ok, id)
  enqueue(id, ok, seq, pr)
  if maxPerHour ~= '' then
    redis.call('ZADD', p .. 'subm:' .. ok, now, id .. '#' .. seq) -- unique even if an id is reused after a purge
    redis.call('PEXPIRE', p .. 'subm:' .. ok, windowMs)
  end
end
`;
