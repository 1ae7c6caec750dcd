/**
 * The in-process core of every channel layer: per-channel buffers, receivers, groups and their fan-out.
 * `MemoryChannelLayer` is this plus validation; `RedisChannelLayer` embeds it for its local members, so local
 * fan-out is written once (the Phoenix.PubSub shape: the backend only carries a broadcast between processes).
 *
 * Hot-path costs: a send allocates one envelope, whatever the number of members; a member costs a queue push
 * and, the first time in a tick, a push onto the dirty list. Delivery runs in one microtask per batch, never
 * inside the sender's call stack. No timer per message: expiry is a timestamp checked lazily, and one
 * unref'd sweep timer per registry drops what nobody will ever read, so memory stays bounded.
 */
import { ChannelFullError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { LayerMessage, LayerStats, MessageHandler } from './types.js';

/** A message with its expiry time, shared by every member it was sent to (one allocation per send). */
interface Envelope {
  readonly message: LayerMessage;
  readonly expiresAt: number;
}

/** One `receive` registration; identity tells a stale unsubscribe from the current one. */
interface Receiver {
  readonly fn: MessageHandler;
}

/**
 * A channel: its receiver, its undelivered messages and how many groups hold it. `queue[head..]` are the
 * undelivered messages, oldest first; consumed slots before `head` are reclaimed in bulk, so taking a message
 * never shifts the array and a handler that sends to its own channel cannot disturb the delivery loop.
 */
interface Box {
  readonly name: string;
  receiver: Receiver | undefined;
  readonly queue: Envelope[];
  head: number;
  /** Already on the dirty list for the next drain. */
  dirty: boolean;
  /** Group memberships referencing this box; a box is freed only when 0, idle and empty. */
  groups: number;
}

/** Members of a group: channel box -> membership expiry time (ms). */
type Members = Map<Box, number>;

/** Sizes of a layer's local state (for gauges and tests). */
export interface LayerUsage {
  /** Channels held: with a receiver, buffered messages or a group membership. */
  readonly channels: number;
  /** Groups with at least one local member. */
  readonly groups: number;
}

export interface LocalRegistryOptions {
  readonly capacity: number;
  readonly expiryMs: number;
  readonly groupExpiryMs: number;
  readonly logger: Logger;
  /** Milliseconds clock; default `Date.now`. Tests pass a fake one. */
  readonly clock?: () => number;
  /** Counters to increment (lets a backend extend them); default a fresh object. */
  readonly stats?: LayerStats;
  /** Called when the last local member of a group leaves (discard, expiry or close). */
  readonly onGroupEmpty?: (group: string) => void;
  /** Period of the sweep for expired messages and memberships; default half the shorter expiry, 1-60 s. */
  readonly sweepIntervalMs?: number;
}

const noop = (): void => {};

/** The local part of a channel layer. Methods take already-validated names and messages. */
export class LocalRegistry {
  readonly stats: LayerStats;
  private readonly channels = new Map<string, Box>();
  private readonly groups = new Map<string, Members>();
  private readonly clock: () => number;
  private readonly sweepTimer: NodeJS.Timeout;
  private dirty: Box[] = [];
  private spare: Box[] = [];
  private scheduled = false;
  private closed = false;

  constructor(private readonly options: LocalRegistryOptions) {
    this.stats = options.stats ?? { delivered: 0, droppedFull: 0, droppedExpired: 0 };
    this.clock = options.clock ?? Date.now;
    const interval =
      options.sweepIntervalMs ?? Math.min(60_000, Math.max(1000, Math.min(options.expiryMs, options.groupExpiryMs) / 2));
    this.sweepTimer = setInterval(() => this.sweep(), interval);
    this.sweepTimer.unref();
  }

  /** Become the receiver of `channel` (replacing any other); waiting messages are delivered first. */
  receive(channel: string, fn: MessageHandler): () => void {
    if (this.closed) return noop;
    const box = this.box(channel);
    const receiver: Receiver = { fn };
    box.receiver = receiver;
    if (box.head < box.queue.length) this.markDirty(box);
    return () => {
      if (box.receiver !== receiver) return;
      box.receiver = undefined;
      this.release(box);
    };
  }

  /** Queue `message` for `channel`. @throws ChannelFullError when it holds `capacity` messages. */
  send(channel: string, message: LayerMessage): void {
    if (this.closed) return;
    const now = this.clock();
    if (!this.enqueue(this.box(channel), { message, expiresAt: now + this.options.expiryMs }, now)) {
      throw new ChannelFullError(channel);
    }
  }

  /** Add (or renew) a membership. Returns true when the group had no local member before. */
  groupAdd(group: string, channel: string): boolean {
    if (this.closed) return false;
    let members = this.groups.get(group);
    const first = members === undefined;
    if (members === undefined) {
      members = new Map();
      this.groups.set(group, members);
    }
    const box = this.box(channel);
    if (!members.has(box)) box.groups++;
    members.set(box, this.clock() + this.options.groupExpiryMs);
    return first;
  }

  /** Remove a membership; unknown names are fine. */
  groupDiscard(group: string, channel: string): void {
    const members = this.groups.get(group);
    const box = this.channels.get(channel);
    if (members === undefined || box === undefined || !members.has(box)) return;
    this.removeMember(group, members, box);
  }

  /**
   * Queue `message` for every live member of `group` (the same object for all). Full members are skipped and
   * counted in `droppedFull`; expired memberships are removed on the way.
   */
  groupSend(group: string, message: LayerMessage): void {
    const members = this.groups.get(group);
    if (members === undefined) return;
    const now = this.clock();
    const envelope: Envelope = { message, expiresAt: now + this.options.expiryMs };
    members.forEach((membershipExpiresAt, box) => {
      if (membershipExpiresAt <= now) this.removeMember(group, members, box);
      else if (!this.enqueue(box, envelope, now)) this.stats.droppedFull++;
    });
  }

  /** Channels held (receiving, buffering or in a group) and groups with local members. O(1). */
  usage(): LayerUsage {
    return { channels: this.channels.size, groups: this.groups.size };
  }

  /** Whether `group` has at least one local member. */
  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  /** Every local membership, by group: `[group, [[channel, expiresAt], ...]]` (a snapshot). */
  memberships(): Array<[string, Array<[string, number]>]> {
    const out: Array<[string, Array<[string, number]>]> = [];
    for (const [group, members] of this.groups) {
      const list: Array<[string, number]> = [];
      members.forEach((expiresAt, box) => list.push([box.name, expiresAt]));
      out.push([group, list]);
    }
    return out;
  }

  /** Drop expired messages and memberships and free idle channels. Runs periodically on its own. */
  sweep(): void {
    const now = this.clock();
    for (const box of this.channels.values()) {
      if (box.receiver === undefined) this.dropExpired(box, now);
      this.release(box);
    }
    for (const [group, members] of this.groups) {
      members.forEach((expiresAt, box) => {
        if (expiresAt <= now) this.removeMember(group, members, box);
      });
    }
  }

  /** Forget everything and stop the sweep timer. Pending deliveries are dropped. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    const groups = [...this.groups.keys()];
    this.channels.clear();
    this.groups.clear();
    this.dirty.length = 0;
    for (const group of groups) this.options.onGroupEmpty?.(group);
  }

  private box(name: string): Box {
    let box = this.channels.get(name);
    if (box === undefined) {
      box = { name, receiver: undefined, queue: [], head: 0, dirty: false, groups: 0 };
      this.channels.set(name, box);
    }
    return box;
  }

  /** Free a box nobody refers to (no receiver, no message, no group). */
  private release(box: Box): void {
    if (box.receiver === undefined && box.head === box.queue.length && box.groups === 0 && !this.closed) {
      this.channels.delete(box.name);
    }
  }

  private removeMember(group: string, members: Members, box: Box): void {
    members.delete(box);
    box.groups--;
    this.release(box);
    if (members.size === 0 && this.groups.get(group) === members) {
      this.groups.delete(group);
      this.options.onGroupEmpty?.(group);
    }
  }

  /** Append to the box's queue unless it is full (after dropping expired messages). */
  private enqueue(box: Box, envelope: Envelope, now: number): boolean {
    if (box.queue.length - box.head >= this.options.capacity) {
      this.dropExpired(box, now);
      if (box.queue.length - box.head >= this.options.capacity) return false;
    }
    box.queue.push(envelope);
    if (box.receiver !== undefined) this.markDirty(box);
    return true;
  }

  /** Messages expire in queue order (one expiry for all), so expired ones are a prefix of the queue. */
  private dropExpired(box: Box, now: number): void {
    const queue = box.queue;
    const start = box.head;
    while (box.head < queue.length && queue[box.head]!.expiresAt <= now) box.head++;
    this.stats.droppedExpired += box.head - start;
    this.compact(box);
  }

  /** Reclaim consumed slots: all at once when the queue is drained, else once they outnumber `capacity`. */
  private compact(box: Box): void {
    if (box.head === box.queue.length) {
      box.queue.length = 0;
      box.head = 0;
    } else if (box.head >= this.options.capacity) {
      box.queue.splice(0, box.head);
      box.head = 0;
    }
  }

  private markDirty(box: Box): void {
    if (box.dirty) return;
    box.dirty = true;
    this.dirty.push(box);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drain);
    }
  }

  /** Deliver every dirty box's queue. Boxes dirtied by handlers meanwhile go to the next drain. */
  private readonly drain = (): void => {
    this.scheduled = false;
    const list = this.dirty;
    this.dirty = this.spare;
    const now = this.clock();
    for (let i = 0; i < list.length; i++) {
      const box = list[i]!;
      box.dirty = false;
      this.deliver(box, now);
    }
    list.length = 0;
    this.spare = list;
  };

  /**
   * Hand queued messages to the receiver, in order, until it goes away. Messages queued by the handlers
   * meanwhile wait for the next drain (the box is dirty again), so a handler never runs inside a sender's stack.
   */
  private deliver(box: Box, now: number): void {
    const queue = box.queue;
    for (let count = queue.length - box.head; count > 0 && box.head < queue.length; count--) {
      const receiver = box.receiver;
      if (receiver === undefined || this.closed) break;
      const envelope = queue[box.head++]!;
      if (envelope.expiresAt <= now) {
        this.stats.droppedExpired++;
        continue;
      }
      this.stats.delivered++;
      try {
        receiver.fn(envelope.message);
      } catch (err) {
        this.options.logger.warn({ err, channel: box.name, type: envelope.message.type }, 'message handler threw');
      }
    }
    this.compact(box);
    this.release(box);
  }
}
