/**
 * Lua for the job list at any size (same conventions as lua-jobs.ts). The index sets are scored
 * by the creation sequence, so "newest first" is exact and a cursor is a sequence number. Nothing
 * copies or intersects a large set: a page walks the sets that hold exactly the jobs the status,
 * process and owner filters match (merging them when there are several), and looks at each job
 * only for a created range, free text or duration, at most a bounded number of non-matching ones
 * per call.
 */

/**
 * ARGV: p, limit, offset, after|'', before|'', statuses(csv), procs(csv), '='owner|'',
 * createdFrom|'', createdTo|'', q(lower-cased)|'', budget, allStatuses(csv), minDuration|'',
 * maxDuration|'', now
 * -> {total|-1, {summary fields...}, {seq...}, more(0|1), resumeSeq|'', resumeCreated|''}
 * Newest first; with `before` the walk goes up from it and the caller reverses the page.
 */
export const LIST = `
local limit, skip, budget = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[12])
local back = ARGV[5] ~= ''
local function csv(s)
  local t, list = {}, {}
  for x in string.gmatch(s, '[^,]+') do t[x] = true; table.insert(list, x) end
  return t, list
end
local sts, stl = csv(ARGV[6])
local prs, prl = csv(ARGV[7])
local owner = nil
if ARGV[8] ~= '' then owner = string.sub(ARGV[8], 2) end
local cf, ct, needle = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11]
local dmin, dmax, now = tonumber(ARGV[14]), tonumber(ARGV[15]), tonumber(ARGV[16])

-- The sets to walk hold exactly the jobs the status/process/owner filters match (disjoint when
-- several): one index set, or the union of the combination sets of lua-jobs.ts tally. Their
-- sizes are numberMatched, so no counter is kept beside them.
local drivers = {}
if owner and (#stl > 0 or #prl > 0) then
  if #stl == 0 then stl = select(2, csv(ARGV[13])) end
  if #prl == 0 then prl = redis.call('SMEMBERS', p .. 'procs') end
  for _, st in ipairs(stl) do
    for _, pr in ipairs(prl) do table.insert(drivers, p .. 'osp:' .. owner .. '|' .. st .. '|' .. pr) end
  end
elseif #stl > 0 and #prl > 0 then
  for _, st in ipairs(stl) do
    for _, pr in ipairs(prl) do table.insert(drivers, p .. 'sp:' .. st .. '|' .. pr) end
  end
elseif owner then drivers = {p .. 'owner:' .. owner}
elseif #stl > 0 then for _, st in ipairs(stl) do table.insert(drivers, p .. 'status:' .. st) end
elseif #prl > 0 then for _, pr in ipairs(prl) do table.insert(drivers, p .. 'proc:' .. pr) end
else drivers = {p .. 'all'} end
-- Whether a job must be looked at (created range, free text, duration) before it is taken.
local check = cf or ct or needle ~= '' or dmin or dmax
-- numberMatched: the walked sets' sizes, exact when no job needs a look (-1: left out).
local total = -1
if not check then
  total = 0
  for _, key in ipairs(drivers) do total = total + redis.call('ZCARD', key) end
end
-- Duration (lua-list's twin of job-store.ts durationWithin): finished or now, minus started.
local function timed(f)
  if not dmin and not dmax then return true end
  if not f[7] then return false end
  local d = (tonumber(f[8] or now) or now) - tonumber(f[7])
  return (not dmin or d >= dmin) and (not dmax or d <= dmax)
end

-- Sequence bounds: the cursor, and the created range through the 'created' index (creation
-- sequence and created time agree up to clock differences between nodes; the check is exact).
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

-- A JobSummary's fields (redis-store.ts reads them in this order), then what the check reads.
local function fields(id)
  if needle ~= '' then
    return redis.call('HMGET', jk(id), 'id', 'processId', 'status', 'message', 'progress', 'created', 'started', 'finished', 'updated', 'owner', 'inputs')
  end
  return redis.call('HMGET', jk(id), 'id', 'processId', 'status', 'message', 'progress', 'created', 'started', 'finished', 'updated', 'owner')
end
local function range(key, from, to, offset, count)
  if back then return redis.call('ZRANGEBYSCORE', key, from, to, 'WITHSCORES', 'LIMIT', offset, count) end
  return redis.call('ZREVRANGEBYSCORE', key, to, from, 'WITHSCORES', 'LIMIT', offset, count)
end

local rows, seqs = {}, {}
if #drivers == 1 and not check then
  -- One set, every member a match: the offset is skipped inside Redis.
  local r = range(drivers[1], lo, hi, skip, limit + 1)
  for i = 1, math.min(#r, 2 * limit), 2 do
    local f = fields(r[i])
    if f[1] then table.insert(rows, f); table.insert(seqs, r[i + 1]) end
  end
  return {total, rows, seqs, (#r > 2 * limit) and 1 or 0, '', ''}
end

-- Merge the sets a batch at a time; a job is taken only once every set that filled its batch
-- has been read past it. Jobs the check turns down count against the budget.
local batch = math.min(200, skip + limit + 1)
local more, rejected, resume, resumeCreated = 0, 0, '', ''
local cur = back and lo or hi
while true do
  local cand, frontier, full = {}, nil, false
  for _, key in ipairs(drivers) do
    local r = back and range(key, cur, hi, 0, batch) or range(key, lo, cur, 0, batch)
    for i = 1, #r, 2 do table.insert(cand, {r[i], tonumber(r[i + 1])}) end
    if #r == 2 * batch then
      local last = tonumber(r[#r])
      full = true
      if frontier == nil or (back and last < frontier) or (not back and last > frontier) then frontier = last end
    end
  end
  if #cand == 0 then break end
  if #drivers > 1 then table.sort(cand, function(a, b) if back then return a[2] < b[2] end return a[2] > b[2] end) end
  local stop = false
  for _, c in ipairs(cand) do
    if frontier and ((back and c[2] > frontier) or (not back and c[2] < frontier)) then break end
    cur = '(' .. c[2]
    local f = nil
    local ok = true
    if check then
      f = fields(c[1])
      local t = tonumber(f[6])
      ok = f[1] and (not cf or t >= cf) and (not ct or t <= ct)
        and (needle == '' or string.find(string.lower(f[11]), needle, 1, true) ~= nil) and timed(f)
    end
    if ok then
      if skip > 0 then
        skip = skip - 1
      elseif #rows == limit then
        more = 1; stop = true; break
      else
        f = f or fields(c[1])
        if f[1] then
          f[11] = nil
          table.insert(rows, f)
          table.insert(seqs, tostring(c[2]))
        end
      end
    else
      rejected = rejected + 1
      if rejected >= budget then
        more, resume, resumeCreated = 1, tostring(c[2]), (f and f[6]) or '0'
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
 * ARGV: p, afterSeq, count -> the last sequence seen, or -1 when the walk is done. Puts jobs
 * stored before the combination sets existed into them (each marked, so it is added once;
 * lua-jobs.ts tally).
 */
export const BACKFILL_COUNTS = `
local r = redis.call('ZRANGEBYSCORE', p .. 'all', '(' .. ARGV[2], '+inf', 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[3]))
for i = 1, #r, 2 do
  local k = jk(r[i])
  local f = redis.call('HMGET', k, 'counted', 'status', 'processId', 'owner')
  if not f[1] and f[2] then
    redis.call('HSET', k, 'counted', '1')
    tally(r[i], r[i + 1], f[2], f[3], f[4], 1)
  end
end
if #r < 2 * tonumber(ARGV[3]) then return -1 end
return r[#r]
`;
