/**
 * Lua for the job list at any size (same conventions as lua-jobs.ts). The index sets are scored
 * by the creation sequence, so "newest first" is exact and a cursor is a sequence number. Nothing
 * copies or intersects a large set: a page walks one set of the most selective filter (its
 * members' union when it lists several values) and checks the other filters on each job; where
 * the walk must check, it looks at a bounded number of non-matching jobs per call.
 */

/**
 * ARGV: p, limit, offset, after|'', before|'', statuses(csv), procs(csv), '='owner|'',
 * createdFrom|'', createdTo|'', q(lower-cased)|'', budget
 * -> {total|-1, {summary fields...}, {seq...}, more(0|1), resumeSeq|'', resumeCreated|''}
 * Newest first; with `before` the walk goes up from it and the caller reverses the page.
 */
export const LIST = `
local limit, skip, budget = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[12])
local back = ARGV[5] ~= ''
local function csv(s)
  local t, n = {}, 0
  for x in string.gmatch(s, '[^,]+') do t[x] = true; n = n + 1 end
  return t, n
end
local sts, nst = csv(ARGV[6])
local prs, npr = csv(ARGV[7])
local owner = nil
if ARGV[8] ~= '' then owner = string.sub(ARGV[8], 2) end
local cf, ct, needle = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11]

-- Counts from the counters (lua-jobs.ts bump): exact for status/process/owner, -1 otherwise.
local total = -1
if not cf and not ct and needle == '' then
  total = 0
  local h = redis.call('HGETALL', owner and (p .. 'ocounts:' .. owner) or (p .. 'counts'))
  for i = 1, #h, 2 do
    local bar = string.find(h[i], '|', 1, true)
    local st, pr = string.sub(h[i], 1, bar - 1), string.sub(h[i], bar + 1)
    if (nst == 0 or sts[st]) and (npr == 0 or prs[pr]) then total = total + tonumber(h[i + 1]) end
  end
end

-- The walk's sets: the filter group with the fewest members.
local function group(prefix, set)
  local keys, n = {}, 0
  for x in pairs(set) do
    table.insert(keys, p .. prefix .. x)
    n = n + redis.call('ZCARD', p .. prefix .. x)
  end
  return keys, n
end
local drivers, size, covered = {p .. 'all'}, redis.call('ZCARD', p .. 'all'), 'none'
if owner then
  local n = redis.call('ZCARD', p .. 'owner:' .. owner)
  if n < size then drivers, size, covered = {p .. 'owner:' .. owner}, n, 'owner' end
end
if nst > 0 then
  local ks, n = group('status:', sts)
  if n < size then drivers, size, covered = ks, n, 'status' end
end
if npr > 0 then
  local ks, n = group('proc:', prs)
  if n < size then drivers, size, covered = ks, n, 'proc' end
end
-- Whether every member of the walked sets matches: then no job needs a look.
local exact = not cf and not ct and needle == '' and #drivers == 1
  and (covered == 'owner' or not owner) and (covered == 'status' or nst == 0) and (covered == 'proc' or npr == 0)

-- Sequence bounds: the cursor, and the created range through the 'created' index (creation
-- sequence and created time agree up to clock differences between nodes).
local hi, lo = '+inf', '-inf'
if ARGV[4] ~= '' then hi = '(' .. ARGV[4] end
if back then lo = '(' .. ARGV[5] end
if ct then
  local last = redis.call('ZREVRANGEBYSCORE', p .. 'created', ct, '-inf', 'LIMIT', 0, 1)
  if #last == 0 then return {total, {}, {}, 0, '', ''} end
  local s = tonumber(redis.call('HGET', jk(last[1]), 'seq'))
  if s and (hi == '+inf' or s < tonumber(string.sub(hi, 2))) then hi = tostring(s) end
end
if cf then
  local first = redis.call('ZRANGEBYSCORE', p .. 'created', cf, '+inf', 'LIMIT', 0, 1)
  if #first == 0 then return {total, {}, {}, 0, '', ''} end
  local s = tonumber(redis.call('HGET', jk(first[1]), 'seq'))
  if s and (lo == '-inf' or s > tonumber(string.sub(lo, 2))) then lo = tostring(s) end
end

local rows, seqs = {}, {}
-- A JobSummary's fields (redis-store.ts reads them in this order); no inputs or outputs.
local function summary(id)
  return redis.call('HMGET', jk(id), 'id', 'processId', 'status', 'message', 'progress', 'created', 'started', 'finished', 'updated', 'owner')
end
local function range(key, from, to, offset, count)
  if back then return redis.call('ZRANGEBYSCORE', key, from, to, 'WITHSCORES', 'LIMIT', offset, count) end
  return redis.call('ZREVRANGEBYSCORE', key, to, from, 'WITHSCORES', 'LIMIT', offset, count)
end
if exact then
  -- One set, every member a match: the offset is skipped inside Redis.
  local r = range(drivers[1], lo, hi, skip, limit + 1)
  for i = 1, math.min(#r, 2 * limit), 2 do
    table.insert(rows, summary(r[i]))
    table.insert(seqs, r[i + 1])
  end
  return {total, rows, seqs, (#r > 2 * limit) and 1 or 0, '', ''}
end

-- Merge the walked sets a batch at a time; a job is taken only once every set that filled its
-- batch has been read past it. Non-matching jobs count against the budget.
local BATCH = 200
local more, rejected, resume, resumeCreated = 0, 0, '', ''
local cur = back and lo or hi
while true do
  local cand, frontier, full = {}, nil, false
  for _, key in ipairs(drivers) do
    local r = back and range(key, cur, hi, 0, BATCH) or range(key, lo, cur, 0, BATCH)
    for i = 1, #r, 2 do table.insert(cand, {r[i], tonumber(r[i + 1])}) end
    if #r == 2 * BATCH then
      local last = tonumber(r[#r])
      full = true
      if frontier == nil or (back and last < frontier) or (not back and last > frontier) then frontier = last end
    end
  end
  if #cand == 0 then break end
  table.sort(cand, function(a, b) if back then return a[2] < b[2] end return a[2] > b[2] end)
  local stop = false
  for _, c in ipairs(cand) do
    if frontier and ((back and c[2] > frontier) or (not back and c[2] < frontier)) then break end
    cur = '(' .. c[2]
    local f = redis.call('HMGET', jk(c[1]), 'status', 'processId', 'owner', 'created', needle ~= '' and 'inputs' or 'id')
    local ok = false
    if f[1] then
      local t = tonumber(f[4])
      ok = (nst == 0 or sts[f[1]]) and (npr == 0 or prs[f[2]]) and (not owner or f[3] == owner)
        and (not cf or t >= cf) and (not ct or t <= ct)
        and (needle == '' or string.find(string.lower(f[5]), needle, 1, true) ~= nil)
    end
    if ok then
      if skip > 0 then
        skip = skip - 1
      elseif #rows == limit then
        more = 1; stop = true; break
      else
        table.insert(rows, summary(c[1]))
        table.insert(seqs, tostring(c[2]))
      end
    else
      rejected = rejected + 1
      if rejected >= budget then
        more, resume, resumeCreated = 1, tostring(c[2]), f[4] or '0'
        stop = true; break
      end
    end
  end
  -- Not full: every walked set ended inside this batch, so all of it was taken.
  if stop or not full then break end
end
return {total, rows, seqs, more, resume, resumeCreated}
`;

/**
 * ARGV: p, afterSeq, count -> the last sequence seen, or -1 when the walk is done. Counts jobs
 * stored before the counters existed (each marked, so it is counted once; lua-jobs.ts bump).
 */
export const BACKFILL_COUNTS = `
local r = redis.call('ZRANGEBYSCORE', p .. 'all', '(' .. ARGV[2], '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #r, 2 do
  local k = jk(r[i])
  local f = redis.call('HMGET', k, 'counted', 'status', 'processId', 'owner')
  if not f[1] and f[2] then
    redis.call('HSET', k, 'counted', '1')
    bump(f[2], f[3], f[4], 1)
  end
end
if #r < 2 * tonumber(ARGV[3]) then return -1 end
return r[#r]
`;
