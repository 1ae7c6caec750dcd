/**
 * The core layer's receive loop: one blocking connection pops this process's messages, oldest first, from
 * every sorted set its channels share (`<layer prefix><channel prefix>.<client>!`), as channels_redis'
 * `receive_single` does with BZPOPMIN. After each blocking pop it drains the same set in batches with ZPOPMIN,
 * so a burst costs one round trip per batch, not per message.
 *
 * At most once: a message popped and then lost with the process is gone (channels_redis keeps an `$inflight`
 * backup set because a Python receive can be cancelled mid-pop; this loop is never cancelled mid-pop).
 */
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from '../../log/index.js';

/** Messages popped per ZPOPMIN while draining. */
const DRAIN_BATCH = 256;

/** Handles one popped member (`score` in seconds since the epoch, as channels_redis writes it). */
export type MemberHandler = (member: Buffer, score: number) => void;

export interface CoreReceiverOptions {
  /** The dedicated blocking connection (its command timeout must exceed `blockSeconds`). */
  readonly block: Redis;
  /** Runs `CLIENT UNBLOCK <id>` on another connection (to add a key while a pop is blocked). */
  readonly unblock: (clientId: number) => Promise<unknown>;
  readonly onMember: MemberHandler;
  readonly log: Logger;
  /** Seconds one BZPOPMIN blocks (channels_redis: 5). */
  readonly blockSeconds: number;
}

/** Pops messages for a growing set of keys until {@link close}. */
export class CoreReceiver {
  private readonly keys = new Set<string>();
  private clientId: number | undefined;
  private blocked = false;
  private wake: (() => void) | undefined;
  private closed = false;
  private readonly done: Promise<void>;

  constructor(private readonly options: CoreReceiverOptions) {
    options.block.on('close', () => {
      this.clientId = undefined;
    });
    this.done = this.loop();
  }

  /** Also pop from `key` (a sorted set of this process). Takes effect at once, even during a blocked pop. */
  addKey(key: string): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.wake?.();
    if (this.blocked && this.clientId !== undefined) {
      this.options.unblock(this.clientId).catch((err: unknown) => this.options.log.debug({ err }, 'client unblock failed'));
    }
  }

  /** Stop popping; resolves once the loop has ended. The caller closes the connection. */
  close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    return this.done;
  }

  private async loop(): Promise<void> {
    const { block, log } = this.options;
    while (!this.closed) {
      if (block.status !== 'ready' || this.keys.size === 0) {
        await this.idle();
        continue;
      }
      try {
        this.clientId ??= Number(await block.client('ID'));
        await this.popOnce([...this.keys]);
      } catch (err) {
        if (this.closed) break;
        log.debug({ err }, 'receive pop failed');
        // A command timeout leaves the socket open: reconnect, so a dead link is noticed and replaced.
        if (block.status === 'ready') block.disconnect(true);
        await this.idle();
      }
    }
  }

  /** One blocking pop, then drain that key in batches. */
  private async popOnce(keys: string[]): Promise<void> {
    const { block, onMember, blockSeconds } = this.options;
    this.blocked = true;
    let reply: [Buffer, Buffer, Buffer] | null;
    try {
      reply = await block.bzpopminBuffer(...keys, blockSeconds);
    } finally {
      this.blocked = false;
    }
    if (reply === null) return;
    const [key, member, score] = reply;
    onMember(member, Number(score.toString()));
    for (;;) {
      if (this.closed) return;
      const flat = await block.zpopminBuffer(key, DRAIN_BATCH);
      for (let i = 0; i + 1 < flat.length; i += 2) onMember(flat[i]!, Number(flat[i + 1]!.toString()));
      if (flat.length < 2 * DRAIN_BATCH) return;
    }
  }

  /** Wait until the connection is ready and there is a key, or close; at most a second (then re-check). */
  private async idle(): Promise<void> {
    const { block } = this.options;
    const stop = new AbortController();
    const quiet = (p: Promise<unknown>): Promise<unknown> => p.catch(() => undefined);
    const waits = [new Promise<void>((resolve) => (this.wake = resolve)), quiet(delay(1000, undefined, { signal: stop.signal, ref: false }))];
    if (this.keys.size > 0 && block.status !== 'ready') waits.push(quiet(once(block, 'ready', { signal: stop.signal })));
    try {
      await Promise.race(waits);
    } finally {
      stop.abort();
      this.wake = undefined;
    }
  }
}
