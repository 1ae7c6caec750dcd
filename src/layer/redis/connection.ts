/**
 * ioredis plumbing for the Redis channel layer: connection options that fail fast, key and topic names,
 * pipeline execution and error mapping.
 */
import { Redis, type ChainableCommander, type RedisOptions } from 'ioredis';
import { TidingsError } from '../../errors.js';
import { redactUrl } from '../../log/index.js';
import { optionError } from '../options.js';

/** Reconnect after 100 ms, 200 ms, ... at most 1 s apart, forever. */
export function reconnectDelay(attempt: number): number {
  return Math.min(attempt * 100, 1000);
}

/**
 * Open a connection. Options the layer's guarantees rest on are forced: no offline queue (fail fast while
 * disconnected), no retry or resend of commands in flight at a disconnect (a PUBLISH is never sent twice),
 * and no ioredis auto-resubscribe: the layer restores its own subscriptions after each reconnect, so it knows
 * when they are back (ioredis restores only those acknowledged before the drop, and does not say when).
 */
export function openConnection(url: string, name: string, commandTimeoutMs: number, extra: RedisOptions = {}): Redis {
  checkRedisUrl(url);
  return new Redis(url, {
    retryStrategy: reconnectDelay,
    commandTimeout: commandTimeoutMs,
    ...extra,
    connectionName: name,
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
  });
}

/** @throws TidingsError CONFIG_INVALID for a URL that is not `redis://` or `rediss://` (without echoing it: it may hold a password). */
export function checkRedisUrl(url: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw optionError('url', 'is not a Redis URL: expected redis://[user:password@]host[:port][/db] or rediss://...');
  }
}

/**
 * PING every connection that is up, every `intervalMs`; a connection whose PING is not answered within
 * `timeoutMs` has its socket destroyed, so ioredis reconnects (and the layer reports `degraded` until it is
 * whole again). This finds a silent partition (no FIN, no RST), which nothing else notices on a subscriber
 * connection. (ioredis' own `socketTimeout` is not used: its timer survives a reconnect and then cuts the
 * new, healthy connection.) Returns a function that stops the checks.
 */
export function startHealthCheck(connections: readonly Redis[], intervalMs: number, timeoutMs: number): () => void {
  const pending = new Set<Redis>();
  const check = (redis: Redis): void => {
    if (redis.status !== 'ready' || pending.has(redis)) return;
    pending.add(redis);
    const stream = redis.stream;
    let answered = false;
    const timer = setTimeout(() => {
      // After a stalled event loop the timer can run before the reply already waiting in the socket is
      // read: decide after the poll phase (setImmediate), so a busy process does not cut a live link.
      setImmediate(() => {
        pending.delete(redis);
        // Only the socket the PING went out on: a reconnect may have replaced it meanwhile.
        if (!answered && redis.stream === stream) stream.destroy(new Error(`redis health check: no answer within ${timeoutMs} ms`));
      });
    }, timeoutMs);
    timer.unref();
    redis.ping().then(
      () => {
        answered = true;
        clearTimeout(timer);
        pending.delete(redis);
      },
      // A PING rejected (command timeout, connection closed) is left to the timer, which checks the socket.
      () => undefined,
    );
  };
  const interval = setInterval(() => connections.forEach(check), intervalMs);
  interval.unref();
  return () => clearInterval(interval);
}

/** Quit gracefully, or drop the connection when that is not possible (Redis down). Never throws. */
export async function quitConnection(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/** Run a pipeline; reject with the first command error (ioredis reports them per command). */
export async function execPipeline(pipeline: ChainableCommander): Promise<void> {
  const results = await pipeline.exec();
  for (const [err] of results ?? []) if (err) throw err;
}

/** Wrap a Redis failure as LAYER_UNAVAILABLE (the cause kept for logs). */
export function unavailable(url: string, cause?: unknown): TidingsError {
  const reason = cause instanceof Error ? `: ${cause.message}` : '';
  return new TidingsError('LAYER_UNAVAILABLE', `redis at ${redactUrl(url)} unavailable${reason}`, { cause });
}

/** Redis key and topic names under one prefix. Pub/sub topics and keys live in separate Redis namespaces. */
export class RedisNames {
  /** Start of every group topic; what follows is the group name. */
  readonly groupTopicPrefix: string;

  constructor(readonly prefix: string) {
    this.groupTopicPrefix = `${prefix}:group:`;
  }

  /** Topic a group's broadcasts are published on. */
  groupTopic(group: string): string {
    return this.groupTopicPrefix + group;
  }

  /** Topic for sends to (and membership changes of) channels owned by `node`. */
  nodeTopic(node: string): string {
    return `${this.prefix}:node:${node}`;
  }

  /** Sorted set of a group's members, scored by membership expiry (ms since the epoch). */
  membersKey(group: string): string {
    return `${this.prefix}:members:${group}`;
  }

  /** The group a topic belongs to, or undefined for another topic. */
  groupOfTopic(topic: string): string | undefined {
    return topic.startsWith(this.groupTopicPrefix) ? topic.slice(this.groupTopicPrefix.length) : undefined;
  }
}
