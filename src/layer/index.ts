/**
 * The channel layer: named channels and groups shared by consumers (Django Channels' model).
 * Import this folder only through this file.
 */
export type {
  ChannelLayer,
  ChannelLayerOptions,
  DroppedNotice,
  LayerMessage,
  LayerState,
  LayerStats,
  MessageHandler,
} from './types.js';
export { DROPPED_TYPE } from './types.js';
export {
  MAX_NAME_LENGTH,
  InvalidNameError,
  channelNode,
  newChannelName,
  validateChannelName,
  validateGroupName,
  validateMessage,
} from './names.js';
export { LAYER_DEFAULTS } from './options.js';
export type { StateListener } from './layer-state.js';
export type { LayerUsage } from './local-registry.js';
export { MemoryChannelLayer, createMemoryChannelLayer, type MemoryChannelLayerOptions } from './memory-layer.js';
export {
  RedisChannelLayer,
  createRedisChannelLayer,
  type RedisChannelLayerOptions,
  type RedisLayerStats,
} from './redis/layer.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './redis/codec.js';
export { createChannelLayer, getChannelLayer, setChannelLayer, useChannelLayerByDefault, type ChannelLayerConfig, type LayerKind } from './default-layer.js';
export {
  ChannelsRedisChannelLayer,
  ChannelsRedisPubSubChannelLayer,
  createChannelsRedisLayer,
  createChannelsRedisPubSubLayer,
  ASGI_CHANNEL,
  DEFAULT_CHANNELS_PREFIX,
  type ChannelsRedisLayerOptions,
  type ChannelsRedisStats,
} from './channels-redis/index.js';
