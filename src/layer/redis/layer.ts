/**
 * `RedisChannelLayer`: the channel layer shared by many processes through Redis, Phoenix.PubSub-style.
 *
 * - Local fan-out is the embedded {@link LocalRegistry} (the memory layer's code). Redis only carries a
 *   broadcast between processes: a `groupSend` is ONE `PUBLISH` to the group's topic, whatever the number of
 *   members, plus direct delivery to this process's own members. Each process subscribes to a group's topic
 *   while it has a local member, and ignores its own broadcasts coming back (envelopes carry the origin node).
 * - Channels are process-specific (`<prefix>.<node>!<random>`): a `send` to another node's channel is
 *   published on that node's topic; a channel of this process is delivered locally, without Redis.
 * - Memberships are also kept in Redis, one sorted set per group scored by expiry time, so they are visible
 *   and those of a process that died expire after `groupExpiry`.
 * - Faults: no offline queue and a short command timeout, so sends fail fast with LAYER_UNAVAILABLE while
 *   Redis is down (local members still receive). ioredis reconnects; the layer then restores its
 *   subscriptions and re-records its memberships, and `state` goes back from `degraded` to `ready`.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { silentLogger, type Logger } from '../../log/index.js';
import { LocalRegistry, type LayerUsage } from '../local-registry.js';
import { channelNode, createNodeId, InvalidNameError, newChannelName, validateChannelName } from '../names.js';
import { validateGroupName, validateMessage } from '../names.js';
import { positive, resolveLayerOptions } from '../options.js';
import type { StateListener } from '../layer-state.js';
import { RedisCodec } from './codec.js';
import { createInboundRouter } from './inbound.js';
import { RedisMembers } from './members.js';
import { TopicSubscriber } from './subscriber.js';
import { execPipeline, openConnection, quitConnection, RedisNames, startHealthCheck } from './connection.js';
import { readyOrClosed, RedisLink } from './link.js';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_HEALTH_CHECK_MS,
  type RedisChannelLayerOptions,
  type RedisLayerStats,
} from './options.js';
import type { ChannelLayer, LayerMessage, LayerState, MessageHandler } from '../types.js';

export type { RedisChannelLayerOptions, RedisLayerStats } from './options.js';

/** A {@link ChannelLayer} over Redis pub/sub; see the module comment for the design and guarantees. */
/** Longest interval a Node timer takes (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class RedisChannelLayer implements ChannelLayer {
  /** This instance's node id: the middle part of its channel names and the suffix of its node topic. */
  readonly node = createNodeId();
  private readonly counters: RedisLayerStats = {
    delivered: 0,
    droppedFull: 0,
    droppedExpired: 0,
    published: 0,
    droppedMalformed: 0,
  };
  private readonly log: Logger;
  private readonly link: RedisLink;
  private readonly clock: () => number;
  private readonly names: RedisNames;
  private readonly members: RedisMembers;
  private readonly codec: RedisCodec;
  private readonly registry: LocalRegistry;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly subscriber: TopicSubscriber;
  private readonly stopHealthCheck: () => void;
  private readonly renewal: NodeJS.Timeout;
  private closing: Promise<void> | undefined;

  /** Starts connecting at once, `degraded` until Redis answers; prefer {@link createRedisChannelLayer}. */
  constructor(options: RedisChannelLayerOptions) {
    const resolved = resolveLayerOptions(options);
    this.log = (options.logger ?? silentLogger()).child({ component: 'redis-layer', node: this.node });
    this.link = new RedisLink(options.url, this.log);
    this.clock = options.clock ?? Date.now;
    this.names = new RedisNames(resolved.prefix);
    this.members = new RedisMembers(this.names, resolved.groupExpiryMs);
    this.codec = new RedisCodec(this.node, options.maxMessageBytes);
    this.registry = new LocalRegistry({
      ...resolved,
      logger: this.log,
      clock: this.clock,
      stats: this.counters,
      onGroupEmpty: (group) => this.subscriber.drop(this.names.groupTopic(group)),
    });
    const timeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const healthCheckMs = positive('healthCheckMs', options.healthCheckMs, DEFAULT_HEALTH_CHECK_MS, false);
    const name = (role: string): string => `${resolved.prefix}-${role}-${this.node}`;
    // Auto-pipelining sends the PUBLISHes of one tick in one write: several times the throughput of bursts.
    const cmdOptions = { enableAutoPipelining: true, ...options.redisOptions };
    this.cmd = this.link.watch(openConnection(options.url, name('cmd'), timeout, cmdOptions), 'cmd');
    this.sub = this.link.watch(openConnection(options.url, name('sub'), timeout, { ...options.redisOptions, enableAutoPipelining: false }), 'sub');
    const ensureGroupTopic = (group: string): void => void this.subscriber.ensure(this.names.groupTopic(group));
    this.subscriber = new TopicSubscriber(this.sub, { topics: [this.names.nodeTopic(this.node)] }, this.log, () => this.updateState());
    const inbound = createInboundRouter({ node: this.node, names: this.names, codec: this.codec, registry: this.registry, log: this.log, stats: this.counters, ensureGroupTopic });
    this.sub.on('message', (topic: string, payload: string) => inbound(topic, payload));
    this.wire();
    // A PING unanswered for two intervals means the link is dead (see healthCheckMs).
    this.stopHealthCheck = startHealthCheck([this.cmd, this.sub], healthCheckMs, 2 * healthCheckMs);
    // Open connections keep their memberships: their Redis records are renewed twice per groupExpiry.
    this.renewal = setInterval(() => this.recordMemberships(), Math.min(MAX_TIMER_MS, resolved.groupExpiryMs / 2));
    this.renewal.unref();
  }

  get state(): LayerState {
    return this.link.state;
  }

  get stats(): Readonly<RedisLayerStats> {
    return this.counters;
  }

  newChannel(prefix = 'specific'): string {
    return newChannelName(prefix, this.node);
  }

  /** As {@link ChannelLayer.receive}; the channel must be one of this process (from `newChannel`). */
  receive(channel: string, onMessage: MessageHandler): () => void {
    validateChannelName(channel);
    if (typeof onMessage !== 'function') throw new TypeError('receive needs a message handler function');
    if (this.ownerOf(channel) !== this.node) {
      throw new InvalidNameError(
        `channel ${channel} belongs to another process; receive only channels from this layer's newChannel()`,
      );
    }
    return this.registry.receive(channel, onMessage);
  }

  /**
   * As {@link ChannelLayer.send}. A channel of this process is delivered locally (no size limit, no Redis);
   * another process's channel gets one PUBLISH to its node topic, and that process enforces `capacity`
   * (dropping and counting in its `droppedFull`), since this one cannot know it without a round trip.
   */
  async send(channel: string, message: LayerMessage): Promise<void> {
    validateChannelName(channel);
    validateMessage(message);
    this.assertOpen();
    const owner = this.ownerOf(channel);
    if (owner === this.node) return this.registry.send(channel, message);
    await this.publish(this.names.nodeTopic(owner), this.codec.encodeChannel(channel, message));
  }

  /**
   * As {@link ChannelLayer.groupAdd}. For a channel of this process, the membership is local first: while
   * Redis is down it still works for local sends and this resolves; the Redis record and the topic
   * subscription are restored on reconnect. A channel of another process is added through Redis (its owner
   * is told on its node topic) and rejects with LAYER_UNAVAILABLE while Redis is down.
   */
  async groupAdd(group: string, channel: string): Promise<void> {
    validateGroupName(group);
    validateChannelName(channel);
    this.assertOpen();
    const owner = this.ownerOf(channel);
    const pipeline = this.members.add(this.cmd.pipeline(), group, channel, this.clock());
    if (owner !== this.node) {
      pipeline.publish(this.names.nodeTopic(owner), this.codec.encodeMembership('add', group, channel));
      return this.strict(pipeline);
    }
    this.registry.groupAdd(group, channel);
    const subscribed = this.subscriber.ensure(this.names.groupTopic(group));
    await Promise.all([subscribed, this.lenient(pipeline, 'group add not recorded in redis')]);
  }

  /** As {@link ChannelLayer.groupDiscard}; local or remote as for {@link groupAdd}. */
  async groupDiscard(group: string, channel: string): Promise<void> {
    validateGroupName(group);
    validateChannelName(channel);
    const owner = channelNode(channel);
    if (owner === undefined || this.state === 'closed') return;
    const pipeline = this.members.discard(this.cmd.pipeline(), group, channel);
    if (owner !== this.node) {
      pipeline.publish(this.names.nodeTopic(owner), this.codec.encodeMembership('discard', group, channel));
      return this.strict(pipeline);
    }
    this.registry.groupDiscard(group, channel);
    await this.lenient(pipeline, 'group discard not recorded in redis');
  }

  /** As {@link ChannelLayer.groupSend}: local members directly, then ONE PUBLISH for the other processes. */
  async groupSend(group: string, message: LayerMessage): Promise<void> {
    validateGroupName(group);
    validateMessage(message);
    this.assertOpen();
    const payload = this.codec.encodeGroup(message);
    this.registry.groupSend(group, message);
    await this.publish(this.names.groupTopic(group), payload);
  }

  /** Sizes of the local state, plus the group topics this process is subscribed to. */
  usage(): LayerUsage & { readonly topics: number } {
    return { ...this.registry.usage(), topics: this.subscriber.size };
  }

  /** Call `listener(state, previous)` on each state change. Returns a function that removes it. */
  onStateChange(listener: StateListener): () => void {
    return this.link.onStateChange(listener);
  }

  /** As {@link RedisLink.whenReady}: resolve once `state` is `ready`. @throws TidingsError LAYER_UNAVAILABLE */
  whenReady(timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> {
    return this.link.whenReady(timeoutMs);
  }

  /** Remove this process's memberships from Redis (best effort), drop local state, quit both connections. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const memberships = this.registry.memberships();
    this.stopHealthCheck();
    clearInterval(this.renewal);
    this.link.tracker.set('closed');
    this.subscriber.close();
    this.registry.close();
    if (this.cmd.status === 'ready' && memberships.length > 0) {
      const pipeline = this.members.removeAll(this.cmd.pipeline(), memberships);
      await execPipeline(pipeline).catch((err: unknown) => this.log.debug({ err }, 'membership cleanup failed'));
    }
    await Promise.all([quitConnection(this.cmd), quitConnection(this.sub)]);
  }

  private wire(): void {
    this.cmd.on('ready', () => {
      this.updateState();
      this.recordMemberships();
    });
    this.cmd.on('close', () => this.updateState());
  }

  private updateState(): void {
    this.link.tracker.set(this.cmd.status === 'ready' && this.subscriber.up ? 'ready' : 'degraded');
  }

  /** After (re)connecting, and periodically: re-record local memberships (Redis may have restarted empty). */
  private recordMemberships(): void {
    if (this.cmd.status !== 'ready') return;
    const memberships = this.registry.memberships();
    if (memberships.length === 0) return;
    void this.lenient(this.members.recordAll(this.cmd.pipeline(), memberships), 'memberships not re-recorded in redis');
  }

  private async publish(topic: string, payload: string): Promise<void> {
    if (this.cmd.status !== 'ready') throw this.link.unavailable();
    try {
      await this.cmd.publish(topic, payload);
    } catch (err) {
      throw this.link.unavailable(err);
    }
    this.counters.published++;
  }

  /** Run a pipeline that must succeed: LAYER_UNAVAILABLE otherwise. */
  private async strict(pipeline: ChainableCommander): Promise<void> {
    if (this.cmd.status !== 'ready') throw this.link.unavailable();
    await execPipeline(pipeline).catch((err: unknown) => {
      throw this.link.unavailable(err);
    });
  }

  /** Run a pipeline whose failure only loses the Redis record (restored on reconnect): log it. */
  private async lenient(pipeline: ChainableCommander, message: string): Promise<void> {
    if (this.cmd.status !== 'ready') return;
    await execPipeline(pipeline).catch((err: unknown) => this.log.warn({ err }, message));
  }

  private ownerOf(channel: string): string {
    const node = channelNode(channel);
    if (node === undefined) {
      throw new InvalidNameError(
        `channel ${channel} is not process-specific; the Redis layer routes by the node in names from newChannel()`,
      );
    }
    return node;
  }

  private assertOpen(): void {
    this.link.assertOpen();
  }
}

/**
 * Create a {@link RedisChannelLayer} and wait until Redis answers. With `optional`, an unreachable Redis is
 * logged (warn) and the layer is returned `degraded`: local delivery works and it connects when Redis comes up.
 * @throws TidingsError CONFIG_INVALID for a bad option or URL; InvalidNameError for a bad prefix;
 *   TidingsError LAYER_UNAVAILABLE when Redis is unreachable within `connectTimeoutMs` (URL shown redacted).
 */
export async function createRedisChannelLayer(options: RedisChannelLayerOptions): Promise<RedisChannelLayer> {
  return readyOrClosed(new RedisChannelLayer(options), options);
}
