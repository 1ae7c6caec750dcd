/**
 * Memberships as Redis keeps them: one sorted set per group (`<prefix>:members:<group>`), member = channel,
 * score = expiry time in ms. Expired entries (a process that died without cleaning up) are removed on each
 * add; the key itself expires `groupExpiry` after the last add. These helpers only queue commands on a
 * pipeline, so each layer operation stays one round trip.
 */
import type { ChainableCommander } from 'ioredis';
import type { RedisNames } from './connection.js';

/** Memberships by group: `[group, [[channel, expiresAt], ...]]` (as `LocalRegistry.memberships()`). */
export type MembershipList = ReadonlyArray<readonly [string, ReadonlyArray<readonly [string, number]>]>;

export class RedisMembers {
  constructor(
    private readonly names: RedisNames,
    private readonly groupExpiryMs: number,
  ) {}

  /** Add or renew one membership, dropping the group's expired ones. */
  add(pipeline: ChainableCommander, group: string, channel: string, now: number): ChainableCommander {
    const key = this.names.membersKey(group);
    return pipeline
      .zremrangebyscore(key, '-inf', now)
      .zadd(key, now + this.groupExpiryMs, channel)
      .pexpire(key, this.groupExpiryMs);
  }

  /** Remove one membership. */
  discard(pipeline: ChainableCommander, group: string, channel: string): ChainableCommander {
    return pipeline.zrem(this.names.membersKey(group), channel);
  }

  /** Record every listed membership with its own expiry (after a reconnect: Redis may have restarted empty). */
  recordAll(pipeline: ChainableCommander, memberships: MembershipList): ChainableCommander {
    for (const [group, members] of memberships) {
      const key = this.names.membersKey(group);
      pipeline.zadd(key, ...members.flatMap(([channel, expiresAt]) => [expiresAt, channel]));
      pipeline.pexpire(key, this.groupExpiryMs);
    }
    return pipeline;
  }

  /** Remove every listed membership (on close). */
  removeAll(pipeline: ChainableCommander, memberships: MembershipList): ChainableCommander {
    for (const [group, members] of memberships) {
      pipeline.zrem(this.names.membersKey(group), ...members.map(([channel]) => channel));
    }
    return pipeline;
  }
}
