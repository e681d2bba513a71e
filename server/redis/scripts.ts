/**
 * The Lua scripts that keep a topic key's stream in Redis. Each runs
 * atomically, so the offset, the history entry and the notification of one
 * event can't be torn apart or reordered.
 *
 * Keys: `KEYS[1]` the stream (a Redis Stream whose entry ids are `offset-0`),
 * `KEYS[2]` its meta hash (`e`: the epoch, `t`: the newest offset).
 *
 * @module
 */

/**
 * A Lua expression for the stream's epoch: the one in its meta hash, or, for a
 * stream that has none (new, expired, or lost), the candidate, with the
 * history cleared, the offset counted from 0 again and, if given, the meta's
 * time to live set.
 */
function epochOrNew(candidate: string, ttl?: string): string {
  const expire = ttl === undefined ? "" : `\n  redis.call('PEXPIRE', KEYS[2], ${ttl})`;
  return `(redis.call('HGET', KEYS[2], 'e') or (function()
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[2], 'e', ${candidate}, 't', 0)${expire}
  return ${candidate}
end)())`;
}

/**
 * Appends one event. ARGV: payload, max length, max age in ms (0 for none),
 * an epoch for a stream made anew, the meta's time to live in ms, the channel.
 * Returns `{epoch, offset}`.
 */
export const PUBLISH = `
local epoch = ${epochOrNew("ARGV[4]")}
local offset = redis.call('HINCRBY', KEYS[2], 't', 1)
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], string.format('%d-0', offset), 'p', ARGV[1], 'at', ms)
local maxAge = tonumber(ARGV[3])
if maxAge > 0 then
  for _ = 1, 100 do
    local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
    if not oldest or tonumber(oldest[2][4]) >= ms - maxAge then break end
    redis.call('XDEL', KEYS[1], oldest[1])
  end
  redis.call('PEXPIRE', KEYS[1], maxAge)
end
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PUBLISH', ARGV[6], epoch .. ' ' .. string.format('%d', offset) .. ' ' .. ARGV[1])
return {epoch, offset}
`;

/**
 * Reads history. ARGV: the offset to read after (empty for the newest
 * events), the most events, an epoch for a stream made anew, the meta's time
 * to live in ms. Returns `{epoch, top, first, entries}`, where entries are
 * Redis's own `[id, [field, value, …]]`, newest first when reading the newest;
 * none when the history no longer reaches back to the offset asked for.
 */
export const READ = `
local epoch = ${epochOrNew("ARGV[3]", "ARGV[4]")}
local top = tonumber(redis.call('HGET', KEYS[2], 't'))
local oldest = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', 1)[1]
local first = top + 1
if oldest then first = tonumber(string.match(oldest[1], '^%d+')) end
local limit = tonumber(ARGV[2])
local entries = {}
if limit > 0 and first <= top then
  if ARGV[1] == '' then
    entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', limit)
  else
    local after = tonumber(ARGV[1])
    if after < top and after + 1 >= first then
      entries = redis.call('XRANGE', KEYS[1], string.format('%d-0', after + 1), '+', 'COUNT', limit)
    end
  end
end
return {epoch, top, first, entries}
`;
