/**
 * Sending a connection what it missed, from the inbox: a replay after `?since=` or a `resume` frame, and a
 * gap fill when live events arrived out of order or were lost. Both are bounded by `replayLimit`: beyond it
 * nothing is sent and `resumed{recovered:false}` tells the client to reload its list. Rows are paced: while
 * the socket is backlogged, the next row waits for it to drain.
 */
import { TidingsError } from '../errors.js';
import type { InboxStore } from '../inbox/index.js';
import type { ResumedFrame, UnreadFrame } from '../protocol/frames.js';
import type { Transport } from '../transport/index.js';
import { notificationFrame } from './publisher.js';
import { rangeSize, rowsIn, type CountVersion, type SeqRange, type StreamCursor } from './stream-cursor.js';

/** The connection a replay writes to. */
export interface ReplayTarget {
  readonly cursor: StreamCursor;
  readonly inbox: InboxStore;
  readonly replayLimit: number;
  /** The socket, or null once it is gone (then nothing more is sent). */
  transport(): Transport | null;
  isOpen(): boolean;
  sendJson(frame: unknown): void;
  sendError(err: TidingsError): void;
  /** Rows were delivered (the observer may count them as seen). */
  delivered(): void;
}

/**
 * Send every notification after `since` up to `now.seq` that this connection has not sent yet, in order,
 * each carrying the count read with `now`; then `resumed`. Too many, or rows of the range deleted: only
 * what is left, and `resumed` with recovered:false.
 */
export async function replay(target: ReplayTarget, userId: string, since: number, now: CountVersion): Promise<void> {
  const cursor = target.cursor;
  if (since > now.seq) {
    target.sendError(new TidingsError('BAD_CURSOR', `"since" (${since}) is ahead of the latest seq (${now.seq})`));
    return resumed(target, since, now.seq, 0, false);
  }
  const ranges = cursor.replayRanges(since, now.seq);
  if (rangeSize(ranges) > target.replayLimit) {
    cursor.skipTo(now.seq);
    if (cursor.show(now)) target.sendJson({ type: 'unread', count: now.count } satisfies UnreadFrame);
    return resumed(target, since, now.seq, 0, false);
  }
  let count = 0;
  for (const range of ranges) count += await sendRows(target, userId, range, now.count);
  cursor.replayed(since, now.seq);
  cursor.show(now);
  target.delivered();
  // Seqs have no gaps, so fewer rows than seqs means some were deleted (a retention job): the client's
  // view cannot be completed by a replay and must be reloaded.
  resumed(target, since, now.seq, count, count === rangeSize(ranges));
}

/**
 * Send the notifications after `lastSeq` up to `upTo` that this connection missed (live events lost or
 * out of order), each carrying `unread`; then show `now`, the count they were read with, if given. More
 * than `replayLimit`: none of them, and `resumed{seq: upTo, recovered:false}` tells the client to reload,
 * naming only seqs that exist and that the reload covers.
 */
export async function fillGap(target: ReplayTarget, userId: string, upTo: number, unread: number, now?: CountVersion): Promise<void> {
  const cursor = target.cursor;
  const range = { after: cursor.lastSeq, upTo };
  if (rangeSize([range]) > target.replayLimit) {
    cursor.skipTo(upTo);
    if (now && cursor.show(now)) target.sendJson({ type: 'unread', count: now.count } satisfies UnreadFrame);
    return resumed(target, range.after, upTo, 0, false);
  }
  await sendRows(target, userId, range, unread);
  cursor.lastSeq = Math.max(cursor.lastSeq, upTo);
  if (now) cursor.show(now);
  target.delivered();
}

/** Send the rows in `range`, paced: while the socket is backlogged, wait for it to drain. */
async function sendRows(target: ReplayTarget, userId: string, range: SeqRange, unread: number): Promise<number> {
  let sent = 0;
  for await (const rows of rowsIn(target.inbox, userId, range)) {
    for (const n of rows) {
      const transport = target.transport();
      if (transport?.backlogged) await transport.drained();
      if (!target.isOpen()) return sent;
      target.sendJson(notificationFrame(n, unread));
      sent++;
    }
  }
  return sent;
}

function resumed(target: ReplayTarget, since: number, seq: number, count: number, recovered: boolean): void {
  target.sendJson({ type: 'resumed', since, seq, count, recovered } satisfies ResumedFrame);
}
