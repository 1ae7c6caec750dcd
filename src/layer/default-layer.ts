/**
 * Choosing a backend from configuration, and the process-wide default layer (Channels' `get_channel_layer()`),
 * so ordinary code outside any consumer can `groupSend` (the seed's `send_inform`).
 */
import { TidingsError } from '../errors.js';
import type { Logger } from '../log/index.js';
import { createMemoryChannelLayer } from './memory-layer.js';
import { createRedisChannelLayer, type RedisChannelLayerOptions } from './redis-layer.js';
import type { ChannelLayer, ChannelLayerOptions } from './types.js';

/** Configuration of {@link createChannelLayer}. */
export interface ChannelLayerConfig extends ChannelLayerOptions {
  /** Redis URL: with it the layer is a `RedisChannelLayer`, without it a `MemoryChannelLayer`. */
  redisUrl?: string;
  logger?: Logger;
  /** Redis only: start `degraded` instead of failing when Redis is unreachable (`--redis-optional`). */
  redisOptional?: boolean;
  /** Redis only: further options (`maxMessageBytes`, `redisOptions`, timeouts). */
  redis?: Omit<RedisChannelLayerOptions, 'url' | keyof ChannelLayerOptions | 'logger' | 'optional'>;
}

/**
 * Create the layer the configuration asks for: Redis when `redisUrl` is set (waiting until it answers, see
 * `createRedisChannelLayer`), memory otherwise.
 * @throws TidingsError LAYER_UNAVAILABLE when Redis is unreachable (unless `redisOptional`); TypeError /
 *   RangeError for invalid options.
 */
export async function createChannelLayer(config: ChannelLayerConfig = {}): Promise<ChannelLayer> {
  const { redisUrl, redisOptional, redis, ...options } = config;
  if (redisUrl === undefined || redisUrl === '') return createMemoryChannelLayer(options);
  return createRedisChannelLayer({ ...redis, ...options, url: redisUrl, optional: redisOptional });
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
