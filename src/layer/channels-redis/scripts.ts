/**
 * The core layer's Lua scripts: the same steps channels_redis runs for `send` and `group_send`, each made
 * atomic in one round trip, and a runner that uses EVALSHA with an EVAL fallback.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script and its SHA-1. */
export interface Script {
  readonly lua: string;
  readonly sha: string;
}

function script(lua: string): Script {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/**
 * `send`: drop messages older than the expiry, refuse at capacity, else ZADD and renew the key's TTL.
 * KEYS[1] channel key; ARGV member, score (seconds), expiry (whole seconds), capacity, cutoff score.
 * Returns 1 when added, 0 when full.
 */
export const SEND = script(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[5])
if redis.call('ZCOUNT', KEYS[1], '-inf', '+inf') >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`);

/**
 * `group_send` for one set of process keys: per key, drop expired messages, then add the member unless the
 * key is at capacity. KEYS: channel keys; ARGV: one member per key, one capacity per key, then score, expiry,
 * cutoff score. Returns how many keys were over capacity.
 */
export const GROUP_SEND = script(`
local n = #KEYS
local score = ARGV[2 * n + 1]
local expiry = ARGV[2 * n + 2]
local cutoff = ARGV[2 * n + 3]
local over = 0
for i = 1, n do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, cutoff)
  if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[n + i]) then
    redis.call('ZADD', KEYS[i], score, ARGV[i])
    redis.call('EXPIRE', KEYS[i], expiry)
  else
    over = over + 1
  end
end
return over
`);

/** Run `s` by SHA, loading it with EVAL when Redis does not have it yet (NOSCRIPT). */
export async function runScript(redis: Redis, s: Script, keys: readonly string[], args: ReadonlyArray<string | number | Buffer>): Promise<unknown> {
  try {
    return await redis.evalsha(s.sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(s.lua, keys.length, ...keys, ...args);
  }
}
