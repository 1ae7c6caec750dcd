/**
 * What one `/inform/` connection has delivered of its user's notification stream, so that each
 * notification reaches the client once and in seq order whatever order the channel layer delivers events
 * in, and the unread count the client shows always ends on the true count.
 *
 * Seqs: `(sentFrom, lastSeq]` is the contiguous range of seqs this connection has sent (empty at hello,
 * where both are the user's seq). A live event at or below `lastSeq` is a duplicate; one above
 * `lastSeq + 1` reveals a gap (an event dropped by the at-most-once layer, or still in flight from another
 * process), which the consumer fills from the inbox before sending the event.
 *
 * Unread counts are ordered by their {@link CountVersion}: the user's last seq when the count was read,
 * then the user's read-state revision (`rev`, raised by every mark read or unread and every archive that
 * changed the count). That order agrees with commit order: both only grow. A count without a `rev` (the one
 * an add reports) is the first of its seq, and between two such counts the lower is newer (only marks
 * commit between adds of a user without a rev, and then only lower the count). A count older than one
 * already shown is never left on screen.
 */
import type { InboxStore, Notification } from '../inbox/index.js';
import { MAX_SINCE_LIMIT } from '../protocol/limits.js';

/** A user's unread count and the last seq it had been assigned when the count was read. */
export interface CountVersion {
  readonly seq: number;
  readonly count: number;
  /** The user's read-state revision when the count was read (absent for the count an add reports). */
  readonly rev?: number | undefined;
}

/** Whether count `a` was read before count `b` (see the module comment for why this order is exact). */
export function isOlder(a: CountVersion, b: CountVersion): boolean {
  if (a.seq !== b.seq) return a.seq < b.seq;
  if (a.rev !== undefined && b.rev !== undefined) return a.rev < b.rev;
  if (a.rev !== undefined || b.rev !== undefined) return a.rev === undefined;
  return a.count > b.count;
}

/** A half-open seq range `(after, upTo]`. */
export interface SeqRange {
  readonly after: number;
  readonly upTo: number;
}

/** The delivery state of one connection. Mutated only by the connection's own (serial) task queue. */
export class StreamCursor {
  /** Highest seq sent on this connection (or the user's seq at hello when nothing was sent yet). */
  lastSeq: number;
  /** Every seq in `(sentFrom, lastSeq]` has been sent on this connection, once. */
  sentFrom: number;
  /** The newest unread count the client has been shown. */
  shown: CountVersion;

  constructor(hello: CountVersion) {
    this.lastSeq = hello.seq;
    this.sentFrom = hello.seq;
    this.shown = hello;
  }

  /** Record `v` as shown unless it is older than what is shown. Returns false for an older count. */
  show(v: CountVersion): boolean {
    if (isOlder(v, this.shown)) return false;
    this.shown = v;
    return true;
  }

  /**
   * The ranges a replay from `since` up to the user's `seq` must send: everything after `since` that this
   * connection has not already sent, in ascending order.
   */
  replayRanges(since: number, seq: number): SeqRange[] {
    const ranges: SeqRange[] = [];
    if (since < this.sentFrom) ranges.push({ after: since, upTo: this.sentFrom });
    const from = Math.max(since, this.lastSeq);
    if (from < seq) ranges.push({ after: from, upTo: seq });
    return ranges;
  }

  /** After a replay from `since` through `seq` was sent in full. */
  replayed(since: number, seq: number): void {
    this.sentFrom = Math.min(this.sentFrom, since);
    this.lastSeq = Math.max(this.lastSeq, seq);
  }

  /** Give up on everything up to `seq` (too much to replay; the client was told to reload its list). */
  skipTo(seq: number): void {
    if (seq <= this.lastSeq) return;
    this.lastSeq = seq;
    this.sentFrom = seq;
  }
}

/** How many seqs the ranges cover. */
export function rangeSize(ranges: readonly SeqRange[]): number {
  return ranges.reduce((n, r) => n + Math.max(0, r.upTo - r.after), 0);
}

/**
 * The user's notifications with seq in `range`, oldest first, read in pages the inbox accepts (a replay
 * may be longer than one `since` call may return). Throws if the inbox returns a page that does not move
 * past the cursor (rows at or below it), instead of asking for the same page forever.
 */
export async function* rowsIn(inbox: InboxStore, userId: string, range: SeqRange): AsyncGenerator<Notification[]> {
  let cursor = range.after;
  while (cursor < range.upTo) {
    const rows = await inbox.since(userId, cursor, Math.min(MAX_SINCE_LIMIT, range.upTo - cursor));
    const last = rows.at(-1);
    if (last === undefined) return;
    // A page must move past the cursor; an inbox that answers rows at or below it would loop forever.
    if (last.seq <= cursor) throw new Error(`inbox.since(${userId}, ${cursor}) returned seq ${last.seq}: a replay cursor must advance`);
    yield last.seq > range.upTo ? rows.filter((n) => n.seq <= range.upTo) : rows;
    cursor = last.seq;
  }
}
