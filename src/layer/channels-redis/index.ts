/**
 * Channel layers that speak channels_redis 4.x on the wire, so Django Channels processes and Tidings processes
 * share channels and groups through one Redis. Import this folder only through this file.
 */
export { ChannelsRedisChannelLayer, createChannelsRedisLayer } from './core-layer.js';
export { ChannelsRedisPubSubChannelLayer, createChannelsRedisPubSubLayer } from './pubsub-layer.js';
export type { ChannelsRedisLayerOptions, ChannelsRedisStats } from './options.js';
export { ASGI_CHANNEL, DEFAULT_CHANNELS_PREFIX } from './wire.js';
