/**
 * Options, defaults and counters of the Redis channel layer.
 */
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../../log/index.js';
import type { ChannelLayerOptions, LayerStats } from '../types.js';

/** Default milliseconds before a Redis command fails with LAYER_UNAVAILABLE. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

/** Default milliseconds between health checks of the Redis connections. */
export const DEFAULT_HEALTH_CHECK_MS = 1000;

/** Default milliseconds `createRedisChannelLayer` waits for Redis before failing. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** Options of {@link createRedisChannelLayer}. */
export interface RedisChannelLayerOptions extends ChannelLayerOptions {
  /**
   * `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS). For Sentinel, pass
   * `redisOptions.sentinels` and `redisOptions.name` (ioredis options) with any redis:// URL for credentials.
   */
  url: string;
  /** Largest encoded message (envelope included) accepted for Redis; default 1 MiB. */
  maxMessageBytes?: number;
  logger?: Logger;
  /** Extra ioredis options (TLS, Sentinel, ...). Offline queue, retries and resubscription are forced off. */
  redisOptions?: RedisOptions;
  /** Milliseconds `createRedisChannelLayer` waits for Redis before failing. Default 5000. */
  connectTimeoutMs?: number;
  /** Milliseconds before a Redis command fails with LAYER_UNAVAILABLE. Default 1000. */
  commandTimeoutMs?: number;
  /**
   * Milliseconds between health checks: a PING on each connection, which must be answered within twice
   * this, or the connection is dropped and re-opened (the layer is `degraded` meanwhile). This is what finds
   * a silent network partition (no FIN, no RST), which nothing else would notice on the subscriber
   * connection: at the default 1000, within 3 s.
   */
  healthCheckMs?: number;
  /**
   * Start even when Redis is unreachable (after `connectTimeoutMs`): `degraded`, local delivery only, until
   * Redis comes up. Default false: creation fails.
   */
  optional?: boolean;
  /** Milliseconds clock for expiries (default `Date.now`); tests pass a fake one. */
  clock?: () => number;
}

/** {@link LayerStats} plus Redis counters. */
export interface RedisLayerStats extends LayerStats {
  /** PUBLISH commands that Redis acknowledged. */
  published: number;
  /** Payloads received from Redis that were not in the layer's format (logged and dropped). */
  droppedMalformed: number;
}
