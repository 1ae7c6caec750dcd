/**
 * `ChannelsRedisChannelLayer`: a {@link ChannelLayer} that speaks `channels_redis.core.RedisChannelLayer`
 * (4.x) on the wire, so Django processes and Tidings processes share channels and groups through one Redis
 * (see ./wire.ts for the keys and the encoding).
 *
 * - `send` to a channel of another process (Django's or Tidings') adds one member to that process's sorted
 *   set, with channels_redis' expiry and capacity check; a channel of this process is delivered locally.
 * - `groupAdd`/`groupDiscard` write the group's sorted set; a membership lives `groupExpiry` seconds from its
 *   last `groupAdd`, as in Channels. This process renews the memberships of its channels that have a
 *   receiver (an open connection) twice per `groupExpiry`, as a consumer calling `group_add` again would:
 *   what an open socket depends on, it keeps. Django's own consumers are not affected.
 * - `groupSend` reads the group's members (dropping expired ones), delivers this process's members locally
 *   and adds ONE member per other process, listing that process's channels in `__asgi_channel__`. Its cost is
 *   O(members of the group) in Redis on every send, as in channels_redis; Tidings' own layer is O(processes).
 * - A blocking connection pops this process's sorted sets (./core-receiver.ts) and hands each message to the
 *   channels it names. Messages older than `expiry` are dropped and counted.
 * - Faults: no offline queue, short command timeout: while Redis is down, calls reject with LAYER_UNAVAILABLE
 *   and `state` is `degraded`; ioredis reconnects.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { ChannelFullError } from '../../errors.js';
import { quitConnection, startHealthCheck } from '../redis/connection.js';
import { validateChannelName, validateGroupName } from '../names.js';
import { DEFAULT_HEALTH_CHECK_MS } from '../redis/options.js';
import type { LayerMessage } from '../types.js';
import { readyOrClosed } from '../redis/link.js';
import { ChannelsRedisBase } from './base.js';
import { CoreReceiver } from './core-receiver.js';
import type { ChannelsRedisLayerOptions } from './options.js';
import { GROUP_SEND, runScript, SEND } from './scripts.js';
import { ASGI_CHANNEL, checkOutgoing, MessageScores, splitDestination } from './wire.js';
import { positive } from '../options.js';

/** Seconds one blocking pop waits (channels_redis' `brpop_timeout`). */
const BLOCK_SECONDS = 5;

/** channels_redis' core layer, in TypeScript; see the module comment. */
export class ChannelsRedisChannelLayer extends ChannelsRedisBase {
  private readonly block: Redis;
  private readonly receiver: CoreReceiver;
  private readonly stopHealthCheck: () => void;
  private readonly expirySeconds: number;
  private readonly groupExpirySeconds: number;
  /** This process's memberships: group -> channel -> `group_add` time (s), to restore them after a Redis restart. */
  private readonly memberships = new Map<string, Map<string, number>>();
  private connectedOnce = false;
  /** Memberships are being written back after a reconnect: not `ready` until they are. */
  private restoring = false;
  private readonly renewTimer: NodeJS.Timeout;
  /** When each group's live memberships were last renewed (s). */
  private readonly renewedAt = new Map<string, number>();
  private readonly scores = new MessageScores(this.clock);

  /** Starts connecting at once, `degraded` until Redis answers; prefer {@link createChannelsRedisLayer}. */
  constructor(options: ChannelsRedisLayerOptions) {
    super(options, 'channels-redis-layer');
    // EXPIRE takes whole seconds; channels_redis uses int(expiry).
    this.expirySeconds = Math.max(1, Math.floor(this.resolved.expiryMs / 1000));
    this.groupExpirySeconds = Math.max(1, Math.floor(this.resolved.groupExpiryMs / 1000));
    this.block = this.connect('block', BLOCK_SECONDS * 1000 + this.commandTimeoutMs, { ...options.redisOptions, enableAutoPipelining: false });
    this.receiver = new CoreReceiver({
      block: this.block,
      unblock: (id) => this.cmd.call('CLIENT', 'UNBLOCK', String(id)),
      onMember: (member, score) => this.onMember(member, score),
      log: this.log,
      blockSeconds: BLOCK_SECONDS,
    });
    // After a lost connection the layer stays `degraded` until its memberships are written back (Redis may
    // have restarted empty): a send right after `ready` must find them.
    this.cmd.on('close', () => {
      if (this.connectedOnce) this.restoring = true;
    });
    this.cmd.on('ready', () => this.restoreMemberships());
    const healthCheckMs = positive('healthCheckMs', options.healthCheckMs, DEFAULT_HEALTH_CHECK_MS, false);
    // The blocking connection is not PINGed (a PING waits behind BZPOPMIN); its pop has a command timeout.
    this.stopHealthCheck = startHealthCheck([this.cmd], healthCheckMs, 2 * healthCheckMs);
    this.renewTimer = setInterval(() => this.renewLiveMemberships(), Math.min(2 ** 31 - 1, this.resolved.groupExpiryMs / 2));
    this.renewTimer.unref();
  }

  /** Renew, on a timer, every group's live memberships (a Django group_send also drops expired members). */
  private renewLiveMemberships(): void {
    if (this.cmd.status !== 'ready') return;
    const now = this.clock() / 1000;
    const renewals = [...this.memberships.keys()].map((group) => this.renewal(group, now, true)).filter((r) => r !== null);
    if (renewals.length === 0) return;
    const multi = this.cmd.multi();
    for (const r of renewals) r(multi);
    multi.exec().catch((err: unknown) => this.log.warn({ err }, 'memberships not renewed in redis'));
  }

  /**
   * The commands that re-add (scored `now`) this process's memberships of `group` whose channel is being
   * received, or null when none is due: renewed at most once per half `groupExpiry` unless `force`d.
   */
  private renewal(group: string, now: number, force = false): ((multi: ChainableCommander) => void) | null {
    const members = this.memberships.get(group);
    const last = this.renewedAt.get(group) ?? 0;
    if (!members || (!force && now - last < this.groupExpirySeconds / 2)) return null;
    this.renewedAt.set(group, now);
    const live = [...members.keys()].filter((channel) => this.registry.isReceiving(channel));
    if (live.length === 0) return null;
    for (const channel of live) members.set(channel, now);
    const key = this.keys.groupKey(group);
    return (multi) => void multi.zadd(key, ...live.flatMap((channel) => [now, channel])).expire(key, this.groupExpirySeconds);
  }

  /**
   * As {@link ChannelLayer.send}. A channel of another process gets channels_redis' `send`: expired members
   * dropped, ChannelFullError at `capacity` (counted over that process's whole sorted set, as channels_redis
   * does), then ZADD scored by the time and EXPIRE. A name without `!` is a general channel (a Django worker's).
   * @throws TypeError also for a message carrying `__asgi_channel__`.
   */
  async send(channel: string, message: LayerMessage): Promise<void> {
    validateChannelName(channel);
    checkOutgoing(message);
    this.assertOpen();
    if (this.isOwn(channel)) return this.registry.send(channel, message);
    const member = this.codec.packMember(channel.includes('!') ? { ...message, [ASGI_CHANNEL]: channel } : message);
    const now = this.clock() / 1000;
    const args = [member, this.scores.next(), this.expirySeconds, this.resolved.capacity, Math.floor(now) - this.expirySeconds];
    const added = await this.redis(() => runScript(this.cmd, SEND, [this.keys.channelKey(channel)], args));
    if (added === 0) throw new ChannelFullError(channel);
  }

  /** As {@link ChannelLayer.groupAdd}: ZADD to the group's sorted set (scored now) and EXPIRE it. */
  async groupAdd(group: string, channel: string): Promise<void> {
    validateGroupName(group);
    validateChannelName(channel);
    this.assertOpen();
    const key = this.keys.groupKey(group);
    const now = this.clock() / 1000;
    await this.redis(() => this.cmd.multi().zadd(key, now, channel).expire(key, this.groupExpirySeconds).exec());
    if (this.isOwn(channel)) {
      let members = this.memberships.get(group);
      if (members === undefined) this.memberships.set(group, (members = new Map()));
      members.set(channel, now);
    }
  }

  /** As {@link ChannelLayer.groupDiscard}: ZREM. No-op once closed. */
  async groupDiscard(group: string, channel: string): Promise<void> {
    validateGroupName(group);
    validateChannelName(channel);
    if (this.state === 'closed') return;
    const members = this.memberships.get(group);
    if (members?.delete(channel) && members.size === 0) this.memberships.delete(group);
    await this.redis(() => this.cmd.zrem(this.keys.groupKey(group), channel));
  }

  /**
   * As {@link ChannelLayer.groupSend}, the channels_redis way (see the module comment). A process whose
   * sorted set is at capacity is skipped and counted once in `droppedFull`; so is each full local member.
   * While Redis is unreachable, the members this process added itself still receive, and this rejects.
   */
  async groupSend(group: string, message: LayerMessage): Promise<void> {
    validateGroupName(group);
    checkOutgoing(message);
    this.assertOpen();
    const key = this.keys.groupKey(group);
    const now = this.clock() / 1000;
    let members: string[];
    try {
      // Live memberships due for renewal are renewed first, in the same transaction, so they are not dropped.
      const renew = this.renewal(group, now);
      members = await this.redis(async () => {
        const multi = this.cmd.multi();
        renew?.(multi);
        const replies = (await multi.zremrangebyscore(key, 0, Math.floor(now) - this.groupExpirySeconds).zrange(key, 0, -1).exec()) ?? [];
        const [err, names] = replies.at(-1) ?? [];
        if (err) throw err;
        return names as string[];
      });
    } catch (err) {
      // Redis unreachable: this process's own members still receive (from the memberships it made).
      const cutoff = now - this.groupExpirySeconds;
      this.deliverLocal([...(this.memberships.get(group) ?? [])].filter(([, at]) => at > cutoff).map(([channel]) => channel), message);
      throw err;
    }
    const { local, remote } = this.byProcess(members);
    this.deliverLocal(local, message);
    if (remote.size === 0) return;
    const keys = [...remote.keys()];
    const args: Array<string | number | Buffer> = keys.map((k) => this.codec.packMember({ ...message, [ASGI_CHANNEL]: remote.get(k)! }));
    for (let i = 0; i < keys.length; i++) args.push(this.resolved.capacity);
    args.push(this.scores.next(), this.expirySeconds, Math.floor(now) - this.expirySeconds);
    const over = await this.redis(() => runScript(this.cmd, GROUP_SEND, keys, args));
    if (typeof over === 'number' && over > 0) {
      this.counters.droppedFull += over;
      this.log.info({ group, over, processes: keys.length }, 'group send skipped processes over capacity');
    }
  }

  /**
   * After a reconnect, write this process's unexpired memberships back with their original `group_add` times
   * (`ZADD GT`: a newer time, e.g. from Django re-adding, is kept), so a Redis restarted empty does not
   * silently cut open sockets off their groups. The layer reports `ready` once this is done.
   */
  private restoreMemberships(): void {
    if (!this.connectedOnce) {
      this.connectedOnce = true;
      return;
    }
    this.restoring = true;
    void this.writeBackMemberships().finally(() => {
      this.restoring = false;
      this.updateState();
    });
  }

  /** The body of {@link restoreMemberships}: one MULTI of this process's unexpired memberships. */
  private async writeBackMemberships(): Promise<void> {
    const cutoff = this.clock() / 1000 - this.groupExpirySeconds;
    const live: Array<[string, Array<[string, number]>]> = [];
    for (const [group, members] of this.memberships) {
      for (const [channel, addedAt] of members) if (addedAt <= cutoff) members.delete(channel);
      if (members.size === 0) this.memberships.delete(group);
      else live.push([this.keys.groupKey(group), [...members]]);
    }
    if (live.length === 0) return;
    const multi = this.cmd.multi();
    for (const [key, members] of live) {
      for (const [channel, addedAt] of members) multi.zadd(key, 'GT', addedAt, channel);
      multi.expire(key, this.groupExpirySeconds);
    }
    await multi.exec().catch((err: unknown) => this.log.warn({ err }, 'memberships not restored in redis'));
  }

  /** Split group members into this process's channels and the others, by their process's sorted-set key. */
  private byProcess(members: readonly string[]): { local: string[]; remote: Map<string, string[]> } {
    const local: string[] = [];
    const remote = new Map<string, string[]>();
    for (const channel of members) {
      if (this.isOwn(channel)) {
        local.push(channel);
        continue;
      }
      const key = this.keys.channelKey(channel);
      const list = remote.get(key);
      if (list === undefined) remote.set(key, [channel]);
      else list.push(channel);
    }
    return { local, remote };
  }

  protected override channelCreated(channel: string): void {
    this.receiver.addKey(this.keys.channelKey(channel));
  }

  protected updateState(): void {
    // Fields are set by the time any connection event arrives (events come after the constructor).
    const up = this.cmd.status === 'ready' && this.block?.status === 'ready' && !this.restoring;
    this.link.tracker.set(up ? 'ready' : 'degraded');
  }

  protected async shutdown(): Promise<void> {
    this.stopHealthCheck();
    clearInterval(this.renewTimer);
    this.block.disconnect();
    await this.receiver.close();
    await quitConnection(this.block);
  }

  /** A member popped from this process's sorted set: decode, check its age, hand it to its channels. */
  private onMember(member: Buffer, score: number): void {
    if (this.state === 'closed') return;
    let destination: ReturnType<typeof splitDestination>;
    try {
      destination = splitDestination(this.codec.unpackMember(member));
    } catch (err) {
      this.counters.droppedMalformed++;
      this.log.warn({ err }, 'dropped a message not in channels_redis format');
      return;
    }
    if (score <= this.clock() / 1000 - this.resolved.expiryMs / 1000) {
      this.counters.droppedExpired += destination.channels.length;
      return;
    }
    this.deliverLocal(destination.channels, destination.message);
  }
}

/**
 * Create a {@link ChannelsRedisChannelLayer} and wait until Redis answers (with `optional`, return it
 * `degraded` instead of failing).
 * @throws TidingsError CONFIG_INVALID for a bad option or URL; InvalidNameError for a bad prefix;
 *   TidingsError LAYER_UNAVAILABLE when Redis is unreachable within `connectTimeoutMs`.
 */
export async function createChannelsRedisLayer(options: ChannelsRedisLayerOptions): Promise<ChannelsRedisChannelLayer> {
  return readyOrClosed(new ChannelsRedisChannelLayer(options), options);
}
