/**
 * Choosing a backend from configuration, and the process-wide default layer (Channels' `get_channel_layer()`),
 * so ordinary code outside any consumer can `groupSend` (the seed's `send_inform`).
 */
import { TidingsError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { createChannelsRedisLayer, createChannelsRedisPubSubLayer } from './channels-redis/index.js';
import { createMemoryChannelLayer } from './memory-layer.js';
import { createRedisChannelLayer, type RedisChannelLayerOptions } from './redis/layer.js';
import type { ChannelLayer, ChannelLayerOptions } from './types.js';

/**
 * Which backend: `memory`, `redis` (Tidings' own), or `channels-redis` / `channels-redis-pubsub` (channels_redis
 * 4.x on the wire, sharing groups with Django Channels processes; their `prefix` defaults to `asgi`).
 */
export type LayerKind = 'memory' | 'redis' | 'channels-redis' | 'channels-redis-pubsub';

/** Configuration of {@link createChannelLayer}. */
export interface ChannelLayerConfig extends ChannelLayerOptions {
  /** Backend; unset = `redis` when `redisUrl` is set, else `memory`. Every kind but `memory` needs `redisUrl`. */
  kind?: LayerKind;
  /** Redis URL: with it the layer is a `RedisChannelLayer`, without it a `MemoryChannelLayer`. */
  redisUrl?: string;
  logger?: Logger;
  /** Redis only: start `degraded` instead of failing when Redis is unreachable (`--redis-optional`). */
  redisOptional?: boolean;
  /** Redis only: further options (`maxMessageBytes`, `redisOptions`, timeouts). */
  redis?: Omit<RedisChannelLayerOptions, 'url' | keyof ChannelLayerOptions | 'logger' | 'optional'>;
}

/**
 * Create the layer the configuration asks for (`kind`; by default Redis when `redisUrl` is set, memory
 * otherwise), waiting until Redis answers (see `createRedisChannelLayer`).
 * @throws TidingsError LAYER_UNAVAILABLE when Redis is unreachable (unless `redisOptional`); CONFIG_INVALID for a
 *   Redis kind without `redisUrl` or an invalid option; InvalidNameError for a bad prefix.
 */
export async function createChannelLayer(config: ChannelLayerConfig = {}): Promise<ChannelLayer> {
  const { redisUrl, redisOptional, redis, kind, ...options } = config;
  const hasUrl = redisUrl !== undefined && redisUrl !== '';
  if (kind === 'memory' || (kind === undefined && !hasUrl)) return createMemoryChannelLayer(options);
  if (!hasUrl) throw new TidingsError('CONFIG_INVALID', `channel layer ${kind} needs a Redis URL`);
  const redisOptions = { ...redis, ...options, url: redisUrl, optional: redisOptional };
  if (kind === 'channels-redis') return createChannelsRedisLayer(redisOptions);
  if (kind === 'channels-redis-pubsub') return createChannelsRedisPubSubLayer(redisOptions);
  return createRedisChannelLayer(redisOptions);
}

let defaultLayer: ChannelLayer | undefined;

/**
 * The process-wide default layer, set by the server at start-up (or by `setChannelLayer`).
 * @throws TidingsError LAYER_UNAVAILABLE when none is set.
 */
export function getChannelLayer(): ChannelLayer {
  if (defaultLayer === undefined) {
    throw new TidingsError('LAYER_UNAVAILABLE', 'no default channel layer: call setChannelLayer(layer) at start-up');
  }
  return defaultLayer;
}

/** Set (or with `undefined`, clear) the process-wide default layer. Returns the previous one. */
export function setChannelLayer(layer: ChannelLayer | undefined): ChannelLayer | undefined {
  const previous = defaultLayer;
  defaultLayer = layer;
  return previous;
}

/**
 * Make `layer` the default unless one is set already (what `createServer` does, so `getChannelLayer()`
 * works in any code of a process that serves, as in Channels). Returns a function that clears it again if
 * it is still the default.
 */
export function useChannelLayerByDefault(layer: ChannelLayer): () => void {
  if (defaultLayer !== undefined) return () => undefined;
  defaultLayer = layer;
  return () => {
    if (defaultLayer === layer) defaultLayer = undefined;
  };
}
