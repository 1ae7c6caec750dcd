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
import type { Redis, RedisOptions } from 'ioredis';
import { ChannelFullError, TidingsError } from '../errors.js';
import { redactUrl, silentLogger, type Logger } from '../log/index.js';
import { LocalRegistry, type LayerUsage } from './local-registry.js';
import { channelNode, createNodeId, InvalidNameError, newChannelName } from './names.js';
import { validateChannelName, validateGroupName, validateMessage } from './names.js';
import { resolveLayerOptions, type ResolvedLayerOptions } from './options.js';
import { StateTracker, type StateListener } from './layer-state.js';
import { MalformedPayloadError, RedisCodec, type Inbound } from './redis-codec.js';
import {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  execPipeline,
  openConnection,
  quitConnection,
  RedisNames,
  unavailable,
} from './redis-connection.js';
import type { ChannelLayer, ChannelLayerOptions, LayerMessage, LayerState, LayerStats, MessageHandler } from './types.js';

/** Options of {@link createRedisChannelLayer}. */
export interface RedisChannelLayerOptions extends ChannelLayerOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://` (TLS). Sentinel: pass `redisOptions.sentinels`. */
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
  /** Start even when Redis is unreachable: `degraded`, local delivery only, until Redis comes up. */
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

const noop = (): void => {};

/** A {@link ChannelLayer} over Redis pub/sub; see the module comment for the design and guarantees. */
export class RedisChannelLayer implements ChannelLayer {
  /** This instance's node id: the middle part of its channel names and the suffix of its node topic. */
  readonly node = createNodeId();
  private readonly counters: RedisLayerStats = { delivered: 0, droppedFull: 0, droppedExpired: 0, published: 0, droppedMalformed: 0 };
  private readonly options: ResolvedLayerOptions;
  private readonly url: string;
  private readonly log: Logger;
  private readonly clock: () => number;
  private readonly names: RedisNames;
  private readonly codec: RedisCodec;
  private readonly registry: LocalRegistry;
  private readonly tracker: StateTracker;
  private readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly nodeTopic: string;
  /** Group topics this process needs (it has local members) -> their pending or settled SUBSCRIBE. */
  private readonly topics = new Map<string, Promise<void>>();
  private subEpoch = 0;
  private subUp = false;
  private lastError: Error | undefined;
  private closing: Promise<void> | undefined;

  /** Starts connecting at once, `degraded` until Redis answers; prefer {@link createRedisChannelLayer}. */
  constructor(options: RedisChannelLayerOptions) {
    this.options = resolveLayerOptions(options);
    this.url = options.url;
    this.log = (options.logger ?? silentLogger()).child({ component: 'redis-layer', node: this.node });
    this.clock = options.clock ?? Date.now;
    this.names = new RedisNames(this.options.prefix);
    this.codec = new RedisCodec(this.node, options.maxMessageBytes);
    this.nodeTopic = this.names.nodeTopic(this.node);
    this.tracker = new StateTracker('degraded', this.log);
    this.registry = new LocalRegistry({
      ...this.options,
      logger: this.log,
      clock: this.clock,
      stats: this.counters,
      onGroupEmpty: (group) => this.dropTopic(group),
    });
    const timeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    this.cmd = openConnection(this.url, `${this.options.prefix}-cmd-${this.node}`, timeout, options.redisOptions);
    this.sub = openConnection(this.url, `${this.options.prefix}-sub-${this.node}`, timeout, options.redisOptions);
    this.wire();
  }

  get state(): LayerState {
    return this.tracker.state;
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
      throw new InvalidNameError(`channel ${channel} belongs to another process; receive only channels from this layer's newChannel()`);
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
    const key = this.names.membersKey(group);
    const now = this.clock();
    const pipeline = this.cmd
      .pipeline()
      .zremrangebyscore(key, '-inf', now)
      .zadd(key, now + this.options.groupExpiryMs, channel)
      .pexpire(key, this.options.groupExpiryMs);
    if (owner !== this.node) {
      pipeline.publish(this.names.nodeTopic(owner), this.codec.encodeMembership('add', group, channel));
      return this.strict(pipeline);
    }
    this.registry.groupAdd(group, channel);
    await Promise.all([this.ensureTopic(group), this.lenient(pipeline, 'group add not recorded in redis')]);
  }

  /** As {@link ChannelLayer.groupDiscard}; local or remote as for {@link groupAdd}. */
  async groupDiscard(group: string, channel: string): Promise<void> {
    validateGroupName(group);
    validateChannelName(channel);
    const owner = channelNode(channel);
    if (owner === undefined || this.state === 'closed') return;
    const pipeline = this.cmd.pipeline().zrem(this.names.membersKey(group), channel);
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
    return { ...this.registry.usage(), topics: this.topics.size };
  }

  /** Call `listener(state, previous)` on each state change. Returns a function that removes it. */
  onStateChange(listener: StateListener): () => void {
    return this.tracker.onChange(listener);
  }

  /**
   * Resolve once `state` is `ready`.
   * @throws TidingsError LAYER_UNAVAILABLE after `timeoutMs`, naming the URL (password redacted) and the last error.
   */
  whenReady(timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const fail = (why: string): void => {
        off();
        clearTimeout(timer);
        const last = this.lastError ? ` (${this.lastError.message})` : '';
        reject(new TidingsError('LAYER_UNAVAILABLE', `cannot reach Redis at ${redactUrl(this.url)}: ${why}${last}`, { cause: this.lastError }));
      };
      const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
      const off = this.tracker.onChange((state) => {
        if (state === 'closed') fail('layer closed');
        if (state !== 'ready') return;
        off();
        clearTimeout(timer);
        resolve();
      });
      if (this.state === 'closed') fail('layer closed');
    });
  }

  /** Remove this process's memberships from Redis (best effort), drop local state, quit both connections. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const memberships = this.registry.memberships();
    this.tracker.set('closed');
    this.registry.close();
    if (this.cmd.status === 'ready' && memberships.length > 0) {
      const pipeline = this.cmd.pipeline();
      for (const [group, members] of memberships) pipeline.zrem(this.names.membersKey(group), ...members.map(([c]) => c));
      await execPipeline(pipeline).catch((err: unknown) => this.log.debug({ err }, 'membership cleanup failed'));
    }
    await Promise.all([quitConnection(this.cmd), quitConnection(this.sub)]);
  }

  private wire(): void {
    for (const [redis, role] of [[this.cmd, 'cmd'], [this.sub, 'sub']] as const) {
      redis.on('error', (err: Error) => {
        this.lastError = err;
        this.log.debug({ err, role }, 'redis connection error');
      });
    }
    this.cmd.on('ready', () => {
      this.updateState();
      this.recordMemberships();
    });
    this.cmd.on('close', () => this.updateState());
    this.sub.on('ready', () => void this.restoreSubscriptions());
    this.sub.on('close', () => {
      this.subEpoch++;
      this.subUp = false;
      this.updateState();
    });
    this.sub.on('message', (topic: string, payload: string) => this.onPayload(topic, payload));
    this.tracker.onChange((state, previous) => {
      if (state === 'degraded') this.log.warn({ err: this.lastError, url: redactUrl(this.url) }, 'channel layer degraded: redis unreachable');
      else if (state === 'ready' && previous === 'degraded') this.log.info({ url: redactUrl(this.url) }, 'channel layer ready');
    });
  }

  private updateState(): void {
    if (this.state === 'closed') return;
    this.tracker.set(this.cmd.status === 'ready' && this.subUp ? 'ready' : 'degraded');
  }

  /** After (re)connecting: subscribe to the node topic and every group topic with local members. */
  private async restoreSubscriptions(): Promise<void> {
    const epoch = ++this.subEpoch;
    const topics = [this.nodeTopic, ...this.topics.keys()];
    try {
      for (let i = 0; i < topics.length; i += 1000) await this.sub.subscribe(...topics.slice(i, i + 1000));
    } catch (err) {
      if (epoch !== this.subEpoch || this.state === 'closed') return;
      this.log.warn({ err }, 'redis resubscribe failed; reconnecting');
      this.sub.disconnect(true);
      return;
    }
    if (epoch !== this.subEpoch) return;
    this.subUp = true;
    this.updateState();
  }

  /** After (re)connecting: re-record local memberships (Redis may have restarted empty). */
  private recordMemberships(): void {
    const memberships = this.registry.memberships();
    if (memberships.length === 0) return;
    const pipeline = this.cmd.pipeline();
    for (const [group, members] of memberships) {
      const key = this.names.membersKey(group);
      pipeline.zadd(key, ...members.flatMap(([channel, expiresAt]) => [expiresAt, channel]));
      pipeline.pexpire(key, this.options.groupExpiryMs);
    }
    void this.lenient(pipeline, 'memberships not re-recorded in redis');
  }

  private ensureTopic(group: string): Promise<void> {
    const topic = this.names.groupTopic(group);
    let pending = this.topics.get(topic);
    if (pending === undefined) {
      pending = this.sub.status === 'ready' ? this.sub.subscribe(topic).then(noop, (err: unknown) => this.log.warn({ err, group }, 'group subscribe failed')) : Promise.resolve();
      this.topics.set(topic, pending);
    }
    return pending;
  }

  private dropTopic(group: string): void {
    const topic = this.names.groupTopic(group);
    if (!this.topics.delete(topic) || this.state === 'closed' || this.sub.status !== 'ready') return;
    this.sub.unsubscribe(topic).catch(noop);
  }

  /** A payload from Redis: own broadcasts are skipped unparsed; a malformed one is logged and dropped. */
  private onPayload(topic: string, payload: string): void {
    if (this.codec.isOwn(payload)) return;
    let inbound: Inbound;
    try {
      inbound = this.codec.decode(payload);
    } catch (err) {
      return this.dropMalformed(topic, payload, err);
    }
    const group = this.names.groupOfTopic(topic);
    if (inbound.kind === 'group' && group !== undefined) this.registry.groupSend(group, inbound.message);
    else if (inbound.kind !== 'group' && topic === this.nodeTopic) this.onNodePayload(inbound);
    else this.dropMalformed(topic, payload, new MalformedPayloadError(`${inbound.kind} payload on topic ${topic}`));
  }

  private dropMalformed(topic: string, payload: string, err: unknown): void {
    this.counters.droppedMalformed++;
    this.log.warn({ err, topic, payload: payload.slice(0, 200) }, 'malformed layer message dropped');
  }

  private onNodePayload(inbound: Exclude<Inbound, { kind: 'group' }>): void {
    if (channelNode(inbound.channel) !== this.node) {
      this.log.debug({ inbound }, 'misrouted layer message dropped');
    } else if (inbound.kind === 'add') {
      this.registry.groupAdd(inbound.group, inbound.channel);
      void this.ensureTopic(inbound.group);
    } else if (inbound.kind === 'discard') {
      this.registry.groupDiscard(inbound.group, inbound.channel);
    } else {
      try {
        this.registry.send(inbound.channel, inbound.message);
      } catch (err) {
        if (!(err instanceof ChannelFullError)) throw err;
        this.counters.droppedFull++;
        this.log.debug({ channel: inbound.channel }, 'remote send to a full channel dropped');
      }
    }
  }

  private async publish(topic: string, payload: string): Promise<void> {
    if (this.cmd.status !== 'ready') throw unavailable(this.url, this.lastError);
    try {
      await this.cmd.publish(topic, payload);
    } catch (err) {
      throw unavailable(this.url, err);
    }
    this.counters.published++;
  }

  private async strict(pipeline: ReturnType<Redis['pipeline']>): Promise<void> {
    if (this.cmd.status !== 'ready') throw unavailable(this.url, this.lastError);
    await execPipeline(pipeline).catch((err: unknown) => {
      throw unavailable(this.url, err);
    });
  }

  private async lenient(pipeline: ReturnType<Redis['pipeline']>, message: string): Promise<void> {
    if (this.cmd.status !== 'ready') return;
    await execPipeline(pipeline).catch((err: unknown) => this.log.warn({ err }, message));
  }

  private ownerOf(channel: string): string {
    const node = channelNode(channel);
    if (node === undefined) {
      throw new InvalidNameError(`channel ${channel} is not process-specific; the Redis layer routes by the node in names from newChannel()`);
    }
    return node;
  }

  private assertOpen(): void {
    if (this.state === 'closed') throw new TidingsError('LAYER_UNAVAILABLE', 'channel layer is closed');
  }
}

/**
 * Create a {@link RedisChannelLayer} and wait until Redis answers (unless `optional`).
 * @throws TypeError for a bad URL or name; RangeError for a bad number;
 *   TidingsError LAYER_UNAVAILABLE when Redis is unreachable within `connectTimeoutMs` (URL shown redacted).
 */
export async function createRedisChannelLayer(options: RedisChannelLayerOptions): Promise<RedisChannelLayer> {
  const layer = new RedisChannelLayer(options);
  if (options.optional) return layer;
  try {
    await layer.whenReady(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  } catch (err) {
    await layer.close();
    throw err;
  }
  return layer;
}
