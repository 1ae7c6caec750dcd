/**
 * `RedisPresence`: presence shared by every process through Redis.
 *
 * Keys (under the layer prefix): `<prefix>:presence:<user>`, a sorted set of this user's connections
 * (`<node>:<id>`) scored by the time (ms) the entry expires; `<prefix>:presence-seen:<user>`, the last time
 * (ms) a connection of the user was open. Each process renews its own entries every `ttl / 3` (one
 * pipeline), so the connections of a process killed with `kill -9` drop out after at most `ttl`, and
 * readers ignore expired entries.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { TidingsError } from '../errors.js';
import { silentLogger, type Logger } from '../log/index.js';
import type { Presence, PresenceStore } from './presence.js';

/** Options of {@link createRedisPresence}. */
export interface RedisPresenceOptions {
  url: string;
  /** Key prefix (the layer's, `TIDINGS_LAYER_PREFIX`). */
  prefix: string;
  /** Seconds an entry lives without renewal. Default 30. */
  ttl?: number;
  logger?: Logger;
}

/** Presence in Redis; see the module comment for the keys. */
export class RedisPresence implements PresenceStore {
  readonly #node = randomBytes(6).toString('hex');
  readonly #local = new Map<string, Set<number>>();
  readonly #ttlMs: number;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    ttlSeconds: number,
    private readonly log: Logger,
  ) {
    this.#ttlMs = Math.round(ttlSeconds * 1000);
    this.#timer = setInterval(() => this.#renew(), Math.max(100, this.#ttlMs / 3));
    this.#timer.unref();
  }

  connected(user: string, id: number): void {
    let set = this.#local.get(user);
    if (!set) this.#local.set(user, (set = new Set()));
    set.add(id);
    this.#write([user], (p, now) => p.zadd(this.#key(user), now + this.#ttlMs, `${this.#node}:${id}`));
  }

  disconnected(user: string, id: number): void {
    const set = this.#local.get(user);
    if (!set?.delete(id)) return;
    if (set.size === 0) this.#local.delete(user);
    this.#write([user], (p) => p.zrem(this.#key(user), `${this.#node}:${id}`));
  }

  async get(user: string): Promise<Presence> {
    const now = Date.now();
    let connections: number;
    let seen: string | null;
    try {
      [connections, seen] = await Promise.all([this.redis.zcount(this.#key(user), `(${now}`, '+inf'), this.redis.get(this.#seenKey(user))]);
    } catch (err) {
      throw new TidingsError('LAYER_UNAVAILABLE', 'presence is unavailable: Redis does not answer', { cause: err });
    }
    const online = connections > 0;
    const lastSeen = online ? now : seen === null ? null : Number(seen);
    return { user, online, connections, lastSeen: lastSeen === null ? null : new Date(lastSeen).toISOString() };
  }

  async swapAnnounced(user: string, state: 'online' | 'offline'): Promise<'online' | 'offline' | null> {
    const key = `${this.prefix}:presence-announced`;
    try {
      const previous = await this.redis.set(`${key}:${user}`, state, 'PX', SEEN_TTL_MS, 'GET');
      if (state === 'online') await this.redis.sadd(key, user);
      else await this.redis.srem(key, user);
      return previous === 'online' || previous === 'offline' ? previous : null;
    } catch (err) {
      throw new TidingsError('LAYER_UNAVAILABLE', 'presence is unavailable: Redis does not answer', { cause: err });
    }
  }

  async staleOnline(): Promise<string[]> {
    // One sweeper per period across processes.
    if ((await this.redis.set(`${this.prefix}:presence-sweep`, this.#node, 'PX', Math.max(100, this.#ttlMs - 50), 'NX')) !== 'OK') return [];
    const users = await this.redis.smembers(`${this.prefix}:presence-announced`);
    const now = Date.now();
    const counts = await Promise.all(users.map((u) => this.redis.zcount(this.#key(u), `(${now}`, '+inf')));
    return users.filter((_u, i) => counts[i] === 0);
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const users = [...this.#local.keys()];
    const pipeline = this.redis.pipeline();
    const now = Date.now();
    for (const user of users) {
      for (const id of this.#local.get(user) ?? []) pipeline.zrem(this.#key(user), `${this.#node}:${id}`);
      pipeline.set(this.#seenKey(user), now, 'PX', SEEN_TTL_MS);
    }
    this.#local.clear();
    await pipeline.exec().catch(() => undefined);
    this.redis.disconnect();
  }

  /** Re-record every local connection with a fresh expiry, and drop expired entries of those users. */
  #renew(): void {
    if (this.#local.size === 0) return;
    this.#write([...this.#local.keys()], (p, now, user) => {
      for (const id of this.#local.get(user) ?? []) p.zadd(this.#key(user), now + this.#ttlMs, `${this.#node}:${id}`);
      p.zremrangebyscore(this.#key(user), '-inf', now);
    });
  }

  /** One pipeline: `add` per user, then each user's key expiry and last-seen time. */
  #write(users: readonly string[], add: (p: ReturnType<Redis['pipeline']>, now: number, user: string) => void): void {
    const pipeline = this.redis.pipeline();
    const now = Date.now();
    for (const user of users) {
      add(pipeline, now, user);
      pipeline.pexpire(this.#key(user), this.#ttlMs * 2);
      pipeline.set(this.#seenKey(user), now, 'PX', SEEN_TTL_MS);
    }
    pipeline.exec().catch((err: unknown) => this.log.warn({ err }, 'presence update failed'));
  }

  #key(user: string): string {
    return `${this.prefix}:presence:${user}`;
  }

  #seenKey(user: string): string {
    return `${this.prefix}:presence-seen:${user}`;
  }
}

/** How long a user's last-seen time is kept: 90 days. */
const SEEN_TTL_MS = 90 * 86_400_000;

/**
 * Connect to Redis for presence. Commands fail fast while Redis is down (no offline queue); the renewal
 * restores the entries once it is back.
 * @throws TidingsError LAYER_UNAVAILABLE when Redis cannot be reached at start.
 */
export async function createRedisPresence(options: RedisPresenceOptions): Promise<RedisPresence> {
  const log = (options.logger ?? silentLogger()).child({ module: 'presence' });
  const redis = new Redis(options.url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 3000 });
  redis.on('error', (err) => log.debug({ err }, 'presence redis error'));
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new TidingsError('LAYER_UNAVAILABLE', 'presence cannot reach Redis', { cause: err });
  }
  return new RedisPresence(redis, options.prefix, options.ttl ?? 30, log);
}
