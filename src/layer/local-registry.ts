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
import { DROPPED_TYPE, type DroppedNotice, type LayerMessage, type LayerStats, type LayerUsage, type LocalRegistryOptions, type MessageHandler } from './types.js';

export type { LayerUsage, LocalRegistryOptions } from './types.js';
import { compact, dropExpired, newBox, type Box, type Envelope, type Receiver } from './channel-box.js';

/** Members of a group: channel box -> membership expiry time (ms). */
type Members = Map<Box, number>;

const noop = (): void => {};

/** The local part of a channel layer. Methods take already-validated names and messages. */
export class LocalRegistry {
  readonly stats: LayerStats;
  private readonly channels = new Map<string, Box>();
  private readonly groups = new Map<string, Members>();
  private readonly clock: () => number;
  private readonly sweepTimer: NodeJS.Timeout;
  /** Boxes with messages for their receiver: `dirty[0..dirtyCount)`; two lists swapped per drain, never shrunk. */
  private dirty: Array<Box | undefined> = [];
  private dirtyCount = 0;
  private spare: Array<Box | undefined> = [];
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
    if (box.head < box.tail || box.lost > 0) this.markDirty(box);
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

  /**
   * Queue `message` for `channel` as a group send does for each member: a full channel skips it, counts it in
   * `droppedFull` and owes its receiver a {@link DroppedNotice}. (A backend that routes group messages
   * itself hands them over with this.)
   */
  offer(channel: string, message: LayerMessage): void {
    if (this.closed) return;
    const now = this.clock();
    const box = this.box(channel);
    if (!this.enqueue(box, { message, expiresAt: now + this.options.expiryMs }, now)) this.skipFull(box);
  }

  /** Whether `channel` has a receiver now (an open connection). */
  isReceiving(channel: string): boolean {
    return this.channels.get(channel)?.receiver !== undefined;
  }

  /**
   * Add (or renew) a membership. Returns true when the group had no local member before. A membership
   * expires `groupExpiryMs` after its last add only while its channel has no receiver: what an open
   * connection depends on, it keeps.
   */
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
   * counted in `droppedFull`, and their receiver gets a {@link DroppedNotice} after what it does receive;
   * expired memberships are removed on the way.
   */
  groupSend(group: string, message: LayerMessage): void {
    const members = this.groups.get(group);
    if (members === undefined) return;
    const now = this.clock();
    const envelope: Envelope = { message, expiresAt: now + this.options.expiryMs };
    members.forEach((membershipExpiresAt, box) => {
      if (this.expired(membershipExpiresAt, box, now)) this.removeMember(group, members, box);
      else if (!this.enqueue(box, envelope, now)) this.skipFull(box);
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

  /**
   * Every local membership, by group: `[group, [[channel, expiresAt], ...]]` (a snapshot). A membership
   * whose channel has a receiver is reported as renewed now.
   */
  memberships(): Array<[string, Array<[string, number]>]> {
    const out: Array<[string, Array<[string, number]>]> = [];
    const renewed = this.clock() + this.options.groupExpiryMs;
    for (const [group, members] of this.groups) {
      const list: Array<[string, number]> = [];
      members.forEach((expiresAt, box) => list.push([box.name, box.receiver ? Math.max(expiresAt, renewed) : expiresAt]));
      out.push([group, list]);
    }
    return out;
  }

  /** Drop expired messages and memberships and free idle channels. Runs periodically on its own. */
  sweep(): void {
    const now = this.clock();
    for (const box of this.channels.values()) {
      if (box.receiver === undefined) {
        this.dropExpired(box, now);
        // Nobody received the channel for as long as its messages lived: the notice expires with them.
        if (box.head === box.tail) box.lost = 0;
      }
      this.release(box);
    }
    for (const [group, members] of this.groups) {
      members.forEach((expiresAt, box) => {
        if (this.expired(expiresAt, box, now)) this.removeMember(group, members, box);
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
    this.dirty.fill(undefined, 0, this.dirtyCount);
    this.dirtyCount = 0;
    for (const group of groups) this.options.onGroupEmpty?.(group);
  }

  private box(name: string): Box {
    let box = this.channels.get(name);
    if (box === undefined) {
      box = newBox(name);
      this.channels.set(name, box);
    }
    return box;
  }

  /** A membership has expired when its time has passed and nobody receives its channel. */
  private expired(expiresAt: number, box: Box, now: number): boolean {
    return expiresAt <= now && box.receiver === undefined;
  }

  /** A group message skipped for a full box: counted, and owed to the receiver as a notice. */
  private skipFull(box: Box): void {
    this.stats.droppedFull++;
    box.lost++;
  }

  /** Free a box nobody refers to (no receiver, no message, no group). */
  private release(box: Box): void {
    if (box.receiver === undefined && box.head === box.tail && box.groups === 0 && box.lost === 0 && !this.closed) {
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
    if (box.tail - box.head >= this.options.capacity) {
      this.dropExpired(box, now);
      if (box.tail - box.head >= this.options.capacity) return false;
    }
    box.queue[box.tail++] = envelope;
    if (box.receiver !== undefined) this.markDirty(box);
    return true;
  }

  private dropExpired(box: Box, now: number): void {
    this.stats.droppedExpired += dropExpired(box, now, this.options.capacity);
  }

  private markDirty(box: Box): void {
    if (box.dirty) return;
    box.dirty = true;
    this.dirty[this.dirtyCount++] = box;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drain);
    }
  }

  /** Deliver every dirty box's queue. Boxes dirtied by handlers meanwhile go to the next drain. */
  private readonly drain = (): void => {
    this.scheduled = false;
    const list = this.dirty;
    const count = this.dirtyCount;
    this.dirty = this.spare;
    this.dirtyCount = 0;
    const now = this.clock();
    for (let i = 0; i < count; i++) {
      const box = list[i]!;
      list[i] = undefined;
      box.dirty = false;
      this.deliver(box, now);
    }
    this.spare = list;
  };

  /**
   * Hand queued messages to the receiver, in order, until it goes away. Messages queued by the handlers
   * meanwhile wait for the next drain (the box is dirty again), so a handler never runs inside a sender's stack.
   */
  private deliver(box: Box, now: number): void {
    const queue = box.queue;
    for (let count = box.tail - box.head; count > 0 && box.head < box.tail; count--) {
      const receiver = box.receiver;
      if (receiver === undefined || this.closed) break;
      const envelope = queue[box.head]!;
      queue[box.head++] = undefined;
      if (envelope.expiresAt <= now) {
        this.stats.droppedExpired++;
        continue;
      }
      this.stats.delivered++;
      this.hand(box, receiver, envelope.message);
    }
    // Messages skipped for a full queue are reported once the queue has drained, so that the receiver
    // learns of the loss now, not when a later message reveals it (or never).
    if (box.lost > 0 && box.head === box.tail && box.receiver !== undefined && !this.closed) {
      const notice: DroppedNotice = { type: DROPPED_TYPE, count: box.lost };
      box.lost = 0;
      this.hand(box, box.receiver, notice);
    }
    compact(box, this.options.capacity);
    this.release(box);
  }

  private hand(box: Box, receiver: Receiver, message: LayerMessage): void {
    try {
      receiver.fn(message);
    } catch (err) {
      this.options.logger.warn({ err, channel: box.name, type: message.type }, 'message handler threw');
    }
  }
}
