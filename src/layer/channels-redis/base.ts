/**
 * What both channels_redis-compatible layers share: the client prefix (the process part of channel names),
 * the local registry that buffers and hands messages to this process's receivers, the command connection,
 * the layer state, and the lifecycle (`whenReady`, `close`).
 */
import type { Redis, RedisOptions } from 'ioredis';
import { silentLogger, type Logger } from '../../log/index.js';
import { LocalRegistry } from '../local-registry.js';
import { channelNode, InvalidNameError, validateChannelName } from '../names.js';
import { resolveLayerOptions, type ResolvedLayerOptions } from '../options.js';
import type { StateListener } from '../layer-state.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from '../redis/codec.js';
import { openConnection, quitConnection } from '../redis/connection.js';
import { RedisLink } from '../redis/link.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS } from '../redis/options.js';
import type { ChannelLayer, LayerMessage, LayerState, MessageHandler } from '../types.js';
import { ChannelsRedisCodec, ChannelsRedisKeys, DEFAULT_CHANNELS_PREFIX, newSpecificChannel, uuidHex } from './wire.js';
import type { ChannelsRedisLayerOptions, ChannelsRedisStats } from './options.js';

/** Shared core of {@link ChannelsRedisChannelLayer} and {@link ChannelsRedisPubSubChannelLayer}. */
export abstract class ChannelsRedisBase implements ChannelLayer {
  /** This instance's client prefix (channels_redis' `client_prefix`): the `<client>` in `<prefix>.<client>!<id>`. */
  readonly client = uuidHex();
  protected readonly counters: ChannelsRedisStats = { delivered: 0, droppedFull: 0, droppedExpired: 0, droppedMalformed: 0 };
  protected readonly log: Logger;
  protected readonly clock: () => number;
  protected readonly resolved: ResolvedLayerOptions;
  protected readonly keys: ChannelsRedisKeys;
  protected readonly codec: ChannelsRedisCodec;
  protected readonly registry: LocalRegistry;
  protected readonly link: RedisLink;
  protected readonly cmd: Redis;
  protected readonly commandTimeoutMs: number;
  private closing: Promise<void> | undefined;

  constructor(options: ChannelsRedisLayerOptions, component: string) {
    this.resolved = resolveLayerOptions({ ...options, prefix: options.prefix ?? DEFAULT_CHANNELS_PREFIX });
    this.log = (options.logger ?? silentLogger()).child({ component, client: this.client });
    this.clock = options.clock ?? Date.now;
    this.keys = new ChannelsRedisKeys(this.resolved.prefix);
    this.codec = new ChannelsRedisCodec(options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES);
    this.link = new RedisLink(options.url, this.log);
    this.registry = new LocalRegistry({ ...this.resolved, logger: this.log, clock: this.clock, stats: this.counters, onGroupEmpty: (group) => this.groupEmptied(group) });
    this.commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.cmd = this.connect('cmd', this.commandTimeoutMs, { enableAutoPipelining: true, ...options.redisOptions });
  }

  get state(): LayerState {
    return this.link.state;
  }

  get stats(): Readonly<ChannelsRedisStats> {
    return this.counters;
  }

  /** As {@link ChannelLayer.newChannel}: `<prefix>.<client>!<uuid4 hex>`, as channels_redis names them. */
  newChannel(prefix = 'specific'): string {
    const name = newSpecificChannel(prefix, this.client);
    this.channelCreated(name);
    return name;
  }

  /** As {@link ChannelLayer.receive}; the channel must be one of this process (from `newChannel`). */
  receive(channel: string, onMessage: MessageHandler): () => void {
    validateChannelName(channel);
    if (typeof onMessage !== 'function') throw new TypeError('receive needs a message handler function');
    if (!this.isOwn(channel)) {
      throw new InvalidNameError(`channel ${channel} belongs to another process; receive only channels from this layer's newChannel()`);
    }
    this.channelCreated(channel);
    return this.registry.receive(channel, onMessage);
  }

  abstract send(channel: string, message: LayerMessage): Promise<void>;
  abstract groupAdd(group: string, channel: string): Promise<void>;
  abstract groupDiscard(group: string, channel: string): Promise<void>;
  abstract groupSend(group: string, message: LayerMessage): Promise<void>;

  /** Call `listener(state, previous)` on each state change. Returns a function that removes it. */
  onStateChange(listener: StateListener): () => void {
    return this.link.onStateChange(listener);
  }

  /** As {@link RedisLink.whenReady}: resolve once `state` is `ready`. @throws TidingsError LAYER_UNAVAILABLE */
  whenReady(timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> {
    return this.link.whenReady(timeoutMs);
  }

  /** Drop local state and close the connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.link.tracker.set('closed');
      this.registry.close();
      await this.shutdown();
      await quitConnection(this.cmd);
    })();
    return this.closing;
  }

  /** A channel name of this process was made or received on (the core layer starts popping its key). */
  protected channelCreated(_channel: string): void {}

  /** The last local member of `group` left (the pub/sub layer unsubscribes from its topic). */
  protected groupEmptied(_group: string): void {}

  /** Close the backend's own connections (after the state went `closed`). */
  protected abstract shutdown(): Promise<void>;

  /** Open a connection that records its errors and drives `state` (through {@link updateState}). */
  protected connect(role: string, timeoutMs: number, extra: RedisOptions): Redis {
    const redis = this.link.watch(openConnection(this.link.url, `${this.resolved.prefix}-${role}-${this.client}`, timeoutMs, extra), role);
    redis.on('ready', () => this.updateState());
    redis.on('close', () => this.updateState());
    return redis;
  }

  /** Recompute `state` from the connections. */
  protected abstract updateState(): void;

  protected isOwn(channel: string): boolean {
    return channelNode(channel) === this.client;
  }

  /** Queue `message` (one object for all) for each channel of this process; full ones are skipped and counted. */
  protected deliverLocal(channels: readonly string[], message: LayerMessage): void {
    for (const channel of channels) {
      if (!this.isOwn(channel)) {
        this.counters.droppedMalformed++;
        continue;
      }
      // A full local channel skips the message, counts it, and its receiver is told (layer.dropped).
      this.registry.offer(channel, message);
    }
  }

  /** Run a Redis command; any failure becomes LAYER_UNAVAILABLE (fails fast while disconnected). */
  protected async redis<T>(run: () => Promise<T>): Promise<T> {
    if (this.cmd.status !== 'ready') throw this.link.unavailable();
    try {
      return await run();
    } catch (err) {
      throw this.link.unavailable(err);
    }
  }

  protected assertOpen(): void {
    this.link.assertOpen();
  }
}
