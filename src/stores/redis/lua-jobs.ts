/**
 * Lua scripts for the job record's life: create, claim, heartbeat, finish, release, dismiss.
 * Each runs atomically in Redis, so the check (status, lease owner) and the write are one step:
 * a stale worker can never overwrite a job that was reclaimed or dismissed meanwhile.
 *
 * ARGV[1] is always the key prefix. Times are computed in Node and passed as strings: Lua 5.1
 * numbers print large integers in exponent form, which must never land in a hash.
 * Keys are derived inside the scripts from the prefix (standalone Redis; Cluster is not
 * supported, see docs/scaling.md).
 */

/** Helpers shared by every script. `p` is the prefix; `jk(id)` a job's hash. */
export const LUA_PRELUDE = `
local p = ARGV[1]
local function jk(id) return p .. 'job:' .. id end
local function inlist(s, csv)
  return s ~= false and s ~= nil and string.find(',' .. csv .. ',', ',' .. s .. ',', 1, true) ~= nil
end
-- The job list without scans (lua-list.ts): sets in list order per status and process
-- ('sp:status|process') and per owner, status and process ('osp:owner|status|process'), so every
-- filter combination reads only matching jobs, and their sizes are its numberMatched. Only jobs
-- marked 'counted' are in them: jobs stored before these existed join through the one-off
-- backfill (BACKFILL_COUNTS), which marks them, so a live change and the backfill never add one
-- job twice.
local function tally(id, seq, status, proc, owner, d)
  local sp, osp = p .. 'sp:' .. status .. '|' .. proc, owner and (p .. 'osp:' .. owner .. '|' .. status .. '|' .. proc)
  if d > 0 then
    redis.call('ZADD', sp, seq, id)
    if osp then redis.call('ZADD', osp, seq, id) end
  else
    redis.call('ZREM', sp, id)
    if osp then redis.call('ZREM', osp, id) end
  end
end
local function move(id, seq, from, to)
  redis.call('ZREM', p .. 'status:' .. from, id)
  redis.call('ZADD', p .. 'status:' .. to, seq, id)
  local c = redis.call('HMGET', jk(id), 'counted', 'processId', 'owner')
  if c[1] then
    tally(id, seq, from, c[2], c[3], -1)
    tally(id, seq, to, c[2], c[3], 1)
  end
end
local function forgetDedup(k, id)
  local dk = redis.call('HGET', k, 'dedupKey')
  if dk and redis.call('GET', p .. 'dedup:' .. dk) == id then redis.call('DEL', p .. 'dedup:' .. dk) end
end
-- A job that ended: purgeExpired finds it through the expiry index; the key TTL (later than
-- expiresAt) is only a backstop for a cluster where no node runs the sweeper any more.
local function ended(k, id, expires, keyExpires)
  redis.call('ZADD', p .. 'expiry', expires, id)
  redis.call('PEXPIREAT', k, keyExpires)
  redis.call('PEXPIREAT', p .. 'log:' .. id, keyExpires)
end
-- Job events (JobStore.subscribe): every node's subscriber connection hears the change.
-- Positional array (absent fields are false); redis-events.ts decodes it.
local function notify(id)
  local f = redis.call('HMGET', jk(id), 'id', 'processId', 'status', 'message', 'progress', 'created', 'started', 'finished', 'updated', 'owner')
  if f[1] then redis.call('PUBLISH', p .. 'events', cjson.encode(f)) end
end
-- Admin figures: ends per minute (kept two hours) and the latest failures (by end time).
local function countEnd(id, status, now)
  local key = p .. 'minute:' .. math.floor(tonumber(now) / 60000)
  redis.call('HINCRBY', key, status, 1)
  redis.call('PEXPIRE', key, 7200000)
  if status == 'failed' then
    redis.call('LPUSH', p .. 'failures', id)
    redis.call('LTRIM', p .. 'failures', 0, 99)
  end
end
`;

/**
 * ARGV: p, id, given(1|0), processId, inputs, dedupKey|'', meta, maxAttempts, now, owner|'',
 * maxQueued|'', maxJobsPerHour|'', windowMs -> {created, hash} | {-1, limit, value, retryAfterMs|''}
 */
export const CREATE = `
local id, proc, dk, now = ARGV[2], ARGV[4], ARGV[6], ARGV[9]
if ARGV[3] == '1' and redis.call('EXISTS', jk(id)) == 1 then return {0, redis.call('HGETALL', jk(id))} end
if dk ~= '' then
  local other = redis.call('GET', p .. 'dedup:' .. dk)
  if other then
    local s = redis.call('HMGET', jk(other), 'status', 'expiresAt')
    if s[1] == 'accepted' or s[1] == 'running' or (s[1] == 'successful' and (not s[2] or tonumber(s[2]) > tonumber(now))) then
      return {0, redis.call('HGETALL', jk(other))}
    end
  end
end
-- After the joins above (a join counts against no limit), in the same script as the insert.
local ok = okey(ARGV[10])
local refused = overLimit(ok, ARGV[11], ARGV[12], ARGV[13], now)
if refused then return refused end
local seq = redis.call('INCR', p .. 'seq')
redis.call('HSET', jk(id), 'id', id, 'processId', proc, 'status', 'accepted', 'inputs', ARGV[5], 'meta', ARGV[7],
  'progress', '0', 'attempts', '0', 'maxAttempts', ARGV[8], 'created', now, 'updated', now, 'seq', seq, 'dispatch', '1', 'counted', '1')
if dk ~= '' then
  redis.call('HSET', jk(id), 'dedupKey', dk)
  redis.call('SET', p .. 'dedup:' .. dk, id)
end
if ARGV[10] ~= '' then
  redis.call('HSET', jk(id), 'owner', ARGV[10])
  redis.call('ZADD', p .. 'owner:' .. ARGV[10], seq, id)
end
redis.call('ZADD', p .. 'all', seq, id)
redis.call('ZADD', p .. 'created', now, id)
redis.call('ZADD', p .. 'status:accepted', seq, id)
redis.call('ZADD', p .. 'proc:' .. proc, seq, id)
tally(id, seq, 'accepted', proc, ARGV[10] ~= '' and ARGV[10] or nil, 1)
redis.call('SADD', p .. 'procs', proc)
admitted(id, ok, seq, ARGV[12], ARGV[13], now, proc)
notify(id)
return {1, redis.call('HGETALL', jk(id))}
`;

/**
 * ARGV: p, id, dispatch, worker, lockedUntil, now -> {hash, renewedDispatch|''} | false.
 * A dispatch ticket only claims the run it was issued for: after a release or re-queue the
 * record's dispatch counter moved on, and an old ticket still in BullMQ is ignored.
 * A valid ticket is a turn to run one job of its process, and the fair order (lua-quota.ts) says which: when
 * that is another job than the ticket's, the ticket's job keeps its place and gets a new
 * dispatch number, for which the caller queues a fresh ticket; the taken job's own ticket
 * becomes stale. So every accepted job still holds exactly one live ticket.
 */
export const CLAIM = `
local tid = ARGV[2]
local ts = redis.call('HMGET', jk(tid), 'status', 'dispatch', 'seq', 'owner', 'processId')
if ts[1] ~= 'accepted' or ts[2] ~= ARGV[3] then return false end
local pr = ts[5]
-- A job queued before fair or per-process dispatch existed (upgrade) joins its queue now.
if not redis.call('ZSCORE', qkey(pr, okey(ts[4])), tid) then enqueue(tid, okey(ts[4]), ts[3], pr) end
local id, ok = tid, okey(ts[4])
for _ = 1, 10 do
  local pick = pickFair({pr})
  if not pick then break end
  if redis.call('HGET', jk(pick[1]), 'status') == 'accepted' then
    id, ok = pick[1], pick[2]
    break
  end
  dequeue(pick[1], pick[2], pr) -- an entry left behind (e.g. its hash expired): never claim it
end
local renewed = ''
if id ~= tid then renewed = tostring(redis.call('HINCRBY', jk(tid), 'dispatch', 1)) end
local k = jk(id)
local s = redis.call('HMGET', k, 'status', 'dispatch', 'seq')
redis.call('HINCRBY', k, 'attempts', 1)
redis.call('HSET', k, 'status', 'running', 'workerId', ARGV[4], 'lockedUntil', ARGV[5], 'updated', ARGV[6])
redis.call('HSETNX', k, 'started', ARGV[6])
redis.call('HDEL', k, 'message')
move(id, s[3], 'accepted', 'running')
redis.call('ZADD', p .. 'leases', ARGV[5], id)
dequeue(id, ok, pr)
served(ok)
notify(id)
return {redis.call('HGETALL', k), renewed}
`;

/**
 * ARGV: p, processes... -> the process whose ticket to take next: that of the fair next job
 * among the given processes (lua-quota.ts), or false when none of them has a queued job.
 */
export const NEXT_PROCESS = `
local prs = {}
for i = 2, #ARGV do prs[#prs + 1] = ARGV[i] end
local pick = pickFair(prs)
if pick then return pick[3] end
return false
`;

/** ARGV: p, id, worker, lockedUntil, now, progress|'', hasMessage(1|0), message -> 1|0 */
export const HEARTBEAT = `
local id = ARGV[2]
local k = jk(id)
local s = redis.call('HMGET', k, 'status', 'workerId', 'progress', 'message')
if s[1] ~= 'running' or s[2] ~= ARGV[3] then return 0 end
redis.call('HSET', k, 'lockedUntil', ARGV[4], 'updated', ARGV[5])
if ARGV[6] ~= '' then redis.call('HSET', k, 'progress', ARGV[6]) end
if ARGV[7] == '1' then redis.call('HSET', k, 'message', ARGV[8]) end
redis.call('ZADD', p .. 'leases', ARGV[4], id)
if (ARGV[6] ~= '' and ARGV[6] ~= s[3]) or (ARGV[7] == '1' and ARGV[8] ~= s[4]) then notify(id) end
return 1
`;

/** ARGV: p, id, worker, status, outputs|'', error|'', progress|'', message, now, expiresAt, keyExpiresAt -> 1|0 */
export const FINISH = `
local id, to = ARGV[2], ARGV[4]
local k = jk(id)
local s = redis.call('HMGET', k, 'status', 'workerId', 'seq')
if s[1] ~= 'running' or s[2] ~= ARGV[3] then return 0 end
redis.call('HSET', k, 'status', to, 'message', ARGV[8], 'finished', ARGV[9], 'updated', ARGV[9], 'expiresAt', ARGV[10])
if ARGV[5] ~= '' then redis.call('HSET', k, 'outputs', ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', k, 'error', ARGV[6]) end
if ARGV[7] ~= '' then redis.call('HSET', k, 'progress', ARGV[7]) end
redis.call('HDEL', k, 'workerId', 'lockedUntil')
redis.call('ZREM', p .. 'leases', id)
move(id, s[3], 'running', to)
if to == 'successful' then
  -- A successful result is shared with identical requests until it expires.
  local dk = redis.call('HGET', k, 'dedupKey')
  if dk and redis.call('GET', p .. 'dedup:' .. dk) == id then redis.call('PEXPIREAT', p .. 'dedup:' .. dk, ARGV[10]) end
else
  forgetDedup(k, id)
end
ended(k, id, ARGV[10], ARGV[11])
gone(id, redis.call('HGET', k, 'owner'), redis.call('HGET', k, 'processId'))
countEnd(id, to, ARGV[9])
notify(id)
return 1
`;

/** ARGV: p, id, worker, message, now -> {new dispatch number, processId} | false. The attempt is given back. */
export const RELEASE = `
local id = ARGV[2]
local k = jk(id)
local s = redis.call('HMGET', k, 'status', 'workerId', 'seq', 'attempts', 'owner', 'processId')
if s[1] ~= 'running' or s[2] ~= ARGV[3] then return false end
local n = redis.call('HINCRBY', k, 'dispatch', 1)
redis.call('HSET', k, 'status', 'accepted', 'attempts', math.max(tonumber(s[4]) - 1, 0), 'message', ARGV[4], 'updated', ARGV[5])
redis.call('HDEL', k, 'workerId', 'lockedUntil')
redis.call('ZREM', p .. 'leases', id)
move(id, s[3], 'running', 'accepted')
enqueue(id, okey(s[5]), s[3], s[6])
notify(id)
return {tostring(n), s[6]}
`;

/** ARGV: p, id, now, expiresAt, keyExpiresAt, sources(csv) -> hash after the change | false if unknown */
export const DISMISS = `
local id = ARGV[2]
local k = jk(id)
local s = redis.call('HMGET', k, 'status', 'seq')
if not s[1] then return false end
if inlist(s[1], ARGV[6]) then
  redis.call('HSET', k, 'status', 'dismissed', 'message', 'dismissed', 'updated', ARGV[3], 'expiresAt', ARGV[4])
  redis.call('HSETNX', k, 'finished', ARGV[3])
  redis.call('HDEL', k, 'workerId', 'lockedUntil')
  redis.call('ZREM', p .. 'leases', id)
  move(id, s[2], s[1], 'dismissed')
  forgetDedup(k, id)
  ended(k, id, ARGV[4], ARGV[5])
  gone(id, redis.call('HGET', k, 'owner'), redis.call('HGET', k, 'processId'))
  notify(id)
end
return redis.call('HGETALL', k)
`;
