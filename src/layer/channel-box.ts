/**
 * One channel's buffer inside a {@link LocalRegistry}: its receiver, its undelivered messages (a queue that
 * never shifts) and the bookkeeping for groups and drop notices. Plain data and functions: the registry
 * owns the policy (capacity, delivery, notices).
 */
import type { LayerMessage, MessageHandler } from './types.js';

/** A message with its expiry time, shared by every member it was sent to (one allocation per send). */
export interface Envelope {
  readonly message: LayerMessage;
  readonly expiresAt: number;
}

/** One `receive` registration; identity tells a stale unsubscribe from the current one. */
export interface Receiver {
  readonly fn: MessageHandler;
}

/**
 * A channel: its receiver, its undelivered messages and how many groups hold it. `queue[head..tail)` are the
 * undelivered messages, oldest first. Taken slots are cleared (so delivered messages can be collected) and
 * reclaimed in bulk, and the array keeps its storage when emptied: taking a message never shifts the array,
 * a steady stream allocates nothing per member, and a handler sending to its own channel cannot disturb the
 * delivery loop.
 */
export interface Box {
  readonly name: string;
  receiver: Receiver | undefined;
  readonly queue: Array<Envelope | undefined>;
  head: number;
  tail: number;
  /** Already on the dirty list for the next drain. */
  dirty: boolean;
  /** Group memberships referencing this box; a box is freed only when 0, idle and empty. */
  groups: number;
  /** Group messages skipped because the box was full, not yet reported to the receiver (a DroppedNotice). */
  lost: number;
}

/** A new, empty box for channel `name`. */
export function newBox(name: string): Box {
  return { name, receiver: undefined, queue: [], head: 0, tail: 0, dirty: false, groups: 0, lost: 0 };
}

/**
 * Drop the expired messages at the head of the queue (they expire in queue order: one expiry for all, so
 * the expired ones are a prefix). Returns how many were dropped.
 */
export function dropExpired(box: Box, now: number, capacity: number): number {
  const queue = box.queue;
  const start = box.head;
  while (box.head < box.tail && queue[box.head]!.expiresAt <= now) queue[box.head++] = undefined;
  const dropped = box.head - start;
  compact(box, capacity);
  return dropped;
}

/** Reclaim taken slots: all at once when the queue is empty, else once they outnumber `capacity`. */
export function compact(box: Box, capacity: number): void {
  if (box.head === box.tail) {
    box.head = box.tail = 0;
  } else if (box.head >= capacity) {
    box.queue.copyWithin(0, box.head, box.tail);
    box.queue.fill(undefined, box.tail - box.head, box.tail);
    box.tail -= box.head;
    box.head = 0;
  }
}
