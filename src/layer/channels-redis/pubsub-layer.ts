/**
 * `ChannelsRedisPubSubChannelLayer`: a {@link ChannelLayer} that speaks
 * `channels_redis.pubsub.RedisPubSubChannelLayer` (4.x) on the wire: a message is its bare msgpack map,
 * PUBLISHed on the channel's own name, or on `<prefix>__group__<group>` for a group.
 *
 * - Memberships are local, as in channels_redis' pub/sub layer: a process subscribes to a group's topic while
 *   one of its channels is a member, and fans a message out to its own members. A `groupSend` is ONE PUBLISH
 *   whatever the number of members; this process's own members get it at once, and its copy coming back from
 *   Redis is recognised and dropped (./echo-filter.ts).
 * - Only channels of this process can join a group (channels_redis raises for others).
 * - `send` to another process's channel is one PUBLISH; nothing is stored, so a receiver that is not
 *   subscribed at that moment never sees it (channels_redis' behaviour). `capacity` and `expiry` apply to
 *   this process's local buffers; `groupExpiry` to local memberships.
 * - While Redis is down, sends reject with LAYER_UNAVAILABLE; a group's local members still receive.
 */
import type { Redis } from 'ioredis';
import { InvalidNameError, validateChannelName, validateGroupName, validateMessage } from '../names.js';
import { quitConnection, startHealthCheck } from '../redis/connection.js';
import { DEFAULT_HEALTH_CHECK_MS } from '../redis/options.js';
import type { LayerMessage } from '../types.js';
import { ChannelsRedisBase } from './base.js';
import { readyOrClosed } from '../redis/link.js';
import type { ChannelsRedisLayerOptions } from './options.js';
import { EchoFilter } from './echo-filter.js';
import { TopicSubscriber } from '../redis/subscriber.js';
import { positive } from '../options.js';

/** channels_redis' pub/sub layer, in TypeScript; see the module comment. */
export class ChannelsRedisPubSubChannelLayer extends ChannelsRedisBase {
  private readonly sub: Redis;
  private readonly topics: TopicSubscriber;
  private readonly stopHealthCheck: () => void;
  private readonly echoes = new EchoFilter();

  /** Starts connecting at once, `degraded` until Redis answers; prefer {@link createChannelsRedisPubSubLayer}. */
  constructor(options: ChannelsRedisLayerOptions) {
    super(options, 'channels-redis-pubsub-layer');
    this.sub = this.connect('sub', this.commandTimeoutMs, { ...options.redisOptions, enableAutoPipelining: false });
    // One pattern for every channel of this process (`*.<client>!*`: a channel costs no SUBSCRIBE of its own).
    this.topics = new TopicSubscriber(this.sub, { patterns: [`*.${this.client}!*`] }, this.log, (up) => {
      if (!up) this.echoes.clear();
      this.updateState();
    });
    // Payloads stay binary (msgpack).
    this.sub.on('messageBuffer', (topic: Buffer, payload: Buffer) => this.onTopic(topic.toString(), payload));
    this.sub.on('pmessageBuffer', (_pattern: string, channel: Buffer, payload: Buffer) => this.onChannel(channel.toString(), payload));
    const healthCheckMs = positive('healthCheckMs', options.healthCheckMs, DEFAULT_HEALTH_CHECK_MS, false);
    this.stopHealthCheck = startHealthCheck([this.cmd, this.sub], healthCheckMs, 2 * healthCheckMs);
  }

  /** As {@link ChannelLayer.send}: local for a channel of this process, else one PUBLISH on its name. */
  async send(channel: string, message: LayerMessage): Promise<void> {
    validateChannelName(channel);
    validateMessage(message);
    this.assertOpen();
    if (this.isOwn(channel)) return this.registry.send(channel, message);
    const payload = this.codec.pack(message);
    await this.redis(() => this.cmd.publish(channel, payload));
  }

  /**
   * As {@link ChannelLayer.groupAdd}, for a channel of this process: a local membership, and a subscription to
   * the group's topic (resolves once Redis acknowledged it).
   * @throws InvalidNameError for a channel of another process (channels_redis raises RuntimeError).
   */
  async groupAdd(group: string, channel: string): Promise<void> {
    validateGroupName(group);
    validateChannelName(channel);
    this.assertOpen();
    if (!this.isOwn(channel)) throw new InvalidNameError(`channel ${channel} is not of this process; the pub/sub layer only adds its own channels to groups`);
    this.registry.groupAdd(group, channel);
    await this.topics.ensure(this.keys.groupTopic(group));
  }

  /** As {@link ChannelLayer.groupDiscard}; unsubscribes from the topic when the last local member leaves. */
  async groupDiscard(group: string, channel: string): Promise<void> {
    validateGroupName(group);
    validateChannelName(channel);
    if (this.state === 'closed' || !this.isOwn(channel)) return;
    this.registry.groupDiscard(group, channel);
  }

  /**
   * As {@link ChannelLayer.groupSend}: local members at once, then ONE PUBLISH on the group's topic (its echo
   * is dropped when it comes back). Local members receive even when the PUBLISH fails.
   */
  async groupSend(group: string, message: LayerMessage): Promise<void> {
    validateGroupName(group);
    validateMessage(message);
    this.assertOpen();
    const payload = this.codec.pack(message);
    const topic = this.keys.groupTopic(group);
    if (this.registry.hasGroup(group)) {
      this.registry.groupSend(group, message);
      // Only a live subscription brings the echo back; a failed PUBLISH may still have gone out, so it is expected too.
      if (this.topics.up) this.echoes.expect(topic, payload);
    }
    await this.redis(() => this.cmd.publish(topic, payload));
  }

  protected override groupEmptied(group: string): void {
    this.topics.drop(this.keys.groupTopic(group));
  }

  protected updateState(): void {
    const up = this.cmd.status === 'ready' && this.topics?.up === true;
    this.link.tracker.set(up ? 'ready' : 'degraded');
  }

  protected async shutdown(): Promise<void> {
    this.stopHealthCheck();
    this.topics.close();
    await quitConnection(this.sub);
  }

  private decode(payload: Buffer): LayerMessage | undefined {
    try {
      return this.codec.unpack(payload) as LayerMessage;
    } catch (err) {
      this.counters.droppedMalformed++;
      this.log.warn({ err }, 'dropped a message not in channels_redis format');
      return undefined;
    }
  }

  private onTopic(topic: string, payload: Buffer): void {
    const prefix = this.keys.groupTopic('');
    if (this.state === 'closed' || !topic.startsWith(prefix) || this.echoes.isEcho(topic, payload)) return;
    const message = this.decode(payload);
    if (message !== undefined) this.registry.groupSend(topic.slice(prefix.length), message);
  }

  private onChannel(channel: string, payload: Buffer): void {
    if (this.state === 'closed') return;
    const message = this.decode(payload);
    if (message === undefined) return;
    this.deliverLocal([channel], message);
  }
}

/**
 * Create a {@link ChannelsRedisPubSubChannelLayer} and wait until Redis answers (with `optional`, return it
 * `degraded` instead). @throws as `createChannelsRedisLayer`.
 */
export async function createChannelsRedisPubSubLayer(options: ChannelsRedisLayerOptions): Promise<ChannelsRedisPubSubChannelLayer> {
  return readyOrClosed(new ChannelsRedisPubSubChannelLayer(options), options);
}
