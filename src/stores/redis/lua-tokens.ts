/**
 * Lua scripts for API tokens (same conventions as lua-jobs.ts: ARGV[1] = prefix). Keys:
 * <p>token:<name> (hash), <p>tokenprefix:<prefix> -> name, <p>tokens (set of names).
 * Only the prefix and a SHA-256 of the secret are ever written.
 */

/** ARGV: p, name, prefix, hash, scope, created, expires|'', maxQueued|'', maxJobsPerHour|'' -> 'ok' | 'name' | 'prefix' */
export const TOKEN_CREATE = `
local name, prefix = ARGV[2], ARGV[3]
local k = p .. 'token:' .. name
local s = redis.call('HMGET', k, 'prefix', 'revoked')
if s[1] and not s[2] then return 'name' end
local holder = redis.call('GET', p .. 'tokenprefix:' .. prefix)
if holder and holder ~= name then return 'prefix' end
if s[1] then
  redis.call('DEL', p .. 'tokenprefix:' .. s[1])
  redis.call('DEL', k)
end
redis.call('HSET', k, 'name', name, 'prefix', prefix, 'hash', ARGV[4], 'scope', ARGV[5], 'created', ARGV[6])
if ARGV[7] ~= '' then redis.call('HSET', k, 'expires', ARGV[7]) end
if ARGV[8] ~= '' then redis.call('HSET', k, 'maxQueued', ARGV[8]) end
if ARGV[9] ~= '' then redis.call('HSET', k, 'maxJobsPerHour', ARGV[9]) end
redis.call('SET', p .. 'tokenprefix:' .. prefix, name)
redis.call('SADD', p .. 'tokens', name)
return 'ok'
`;

/** ARGV: p, prefix -> hash | false */
export const TOKEN_FIND = `
local name = redis.call('GET', p .. 'tokenprefix:' .. ARGV[2])
if not name then return false end
local h = redis.call('HGETALL', p .. 'token:' .. name)
if #h == 0 then return false end
return h
`;

/** ARGV: p, name, now -> 1 | 0 (unknown or already revoked) */
export const TOKEN_REVOKE = `
local k = p .. 'token:' .. ARGV[2]
local s = redis.call('HMGET', k, 'prefix', 'revoked')
if not s[1] or s[2] then return 0 end
redis.call('HSET', k, 'revoked', ARGV[3])
return 1
`;

/** ARGV: p, name, now. Never creates a record. */
export const TOKEN_TOUCH = `
local k = p .. 'token:' .. ARGV[2]
if redis.call('EXISTS', k) == 1 then redis.call('HSET', k, 'lastUsed', ARGV[3]) end
return 1
`;

/** ARGV: p -> { hash, ... } (unordered; the caller sorts) */
export const TOKEN_LIST = `
local names = redis.call('SMEMBERS', p .. 'tokens')
local out = {}
for _, n in ipairs(names) do
  local h = redis.call('HGETALL', p .. 'token:' .. n)
  if #h > 0 then table.insert(out, h) end
end
return out
`;
