/**
 * Options and counters of the channels_redis-compatible layers.
 */
import type { RedisChannelLayerOptions } from '../redis/options.js';
import type { LayerStats } from '../types.js';

/**
 * Options of {@link createChannelsRedisLayer} and {@link createChannelsRedisPubSubLayer}: those of Tidings'
 * own Redis layer, with channels_redis' meanings. `prefix` is channels_redis' `prefix` (default `asgi`) and
 * must match the Django settings' `CHANNEL_LAYERS["default"]["CONFIG"]["prefix"]`; `capacity`, `expiry` and
 * `groupExpiry` are its `capacity`, `expiry` and `group_expiry`. One Redis host (`hosts` with one entry).
 */
export type ChannelsRedisLayerOptions = RedisChannelLayerOptions;

/** {@link LayerStats} plus messages from Redis that were not in channels_redis' format (logged, dropped). */
export interface ChannelsRedisStats extends LayerStats {
  droppedMalformed: number;
}
