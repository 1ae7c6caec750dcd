/**
 * The per-connection delivery state of `/inform/`: the order of unread counts, the ranges a replay must send
 * (nothing twice on one connection), and paging through the inbox's `since`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InboxStore, Notification } from '../../../src/inbox/index.js';
import { MAX_SINCE_LIMIT } from '../../../src/protocol/limits.js';
import { StreamCursor, isOlder, rangeSize, rowsIn } from '../../../src/notify/index.js';

describe('isOlder: counts ordered by (seq, then lower count is newer)', () => {
  it('a count read at a lower seq is older', () => {
    assert.equal(isOlder({ seq: 4, count: 0 }, { seq: 5, count: 9 }), true);
    assert.equal(isOlder({ seq: 5, count: 9 }, { seq: 4, count: 0 }), false);
  });

  it('at the same seq only marks happened in between, so the lower count is the newer', () => {
    assert.equal(isOlder({ seq: 5, count: 3 }, { seq: 5, count: 1 }), true);
    assert.equal(isOlder({ seq: 5, count: 1 }, { seq: 5, count: 3 }), false);
    assert.equal(isOlder({ seq: 5, count: 1 }, { seq: 5, count: 1 }), false, 'equal is not older');
  });

  it('with read-state revisions, the later revision is newer whether its count went down or up', () => {
    assert.equal(isOlder({ seq: 5, count: 1, rev: 7 }, { seq: 5, count: 2, rev: 8 }), true, 'marked unread after');
    assert.equal(isOlder({ seq: 5, count: 2, rev: 8 }, { seq: 5, count: 1, rev: 7 }), false);
    assert.equal(isOlder({ seq: 5, count: 0, rev: 9 }, { seq: 6, count: 1, rev: 2 }), true, 'seq first');
    assert.equal(isOlder({ seq: 5, count: 2 }, { seq: 5, count: 3, rev: 1 }), true, "an add's count is the first of its seq");
    assert.equal(isOlder({ seq: 5, count: 3, rev: 1 }, { seq: 5, count: 2 }), false);
  });
});

describe('StreamCursor', () => {
  it('show() keeps the newest count and refuses an older one', () => {
    const c = new StreamCursor({ seq: 3, count: 3 });
    assert.equal(c.show({ seq: 3, count: 1 }), true);
    assert.equal(c.show({ seq: 3, count: 2 }), false);
    assert.equal(c.show({ seq: 2, count: 0 }), false);
    assert.equal(c.show({ seq: 4, count: 2 }), true);
    assert.deepEqual(c.shown, { seq: 4, count: 2 });
  });

  it('at hello a replay covers everything after `since` up to the current seq', () => {
    const c = new StreamCursor({ seq: 10, count: 0 });
    assert.deepEqual(c.replayRanges(5, 10), [{ after: 5, upTo: 10 }]);
    assert.deepEqual(c.replayRanges(5, 12), [{ after: 5, upTo: 10 }, { after: 10, upTo: 12 }]);
    assert.deepEqual(c.replayRanges(10, 10), []);
  });

  it('what was already sent live on this connection is skipped by a later resume', () => {
    const c = new StreamCursor({ seq: 10, count: 0 });
    c.lastSeq = 12; // 11 and 12 were sent live
    assert.deepEqual(c.replayRanges(5, 14), [{ after: 5, upTo: 10 }, { after: 12, upTo: 14 }]);
    assert.deepEqual(c.replayRanges(11, 14), [{ after: 12, upTo: 14 }]);
    c.replayed(5, 14);
    assert.equal(c.sentFrom, 5);
    assert.equal(c.lastSeq, 14);
    assert.deepEqual(c.replayRanges(0, 14), [{ after: 0, upTo: 5 }]);
    assert.equal(rangeSize(c.replayRanges(0, 20)), 11);
  });

  it('skipTo() gives up on a range (the client reloads) and never moves backwards', () => {
    const c = new StreamCursor({ seq: 10, count: 0 });
    c.skipTo(500);
    assert.deepEqual([c.sentFrom, c.lastSeq], [500, 500]);
    c.skipTo(20);
    assert.deepEqual([c.sentFrom, c.lastSeq], [500, 500]);
  });
});

describe('rowsIn: paging through inbox.since', () => {
  /** An inbox of `total` rows for one user that records the limits asked for. */
  function fakeInbox(total: number, limits: number[]): InboxStore {
    const since = async (_user: string, seq: number, limit: number): Promise<Notification[]> => {
      if (limit > MAX_SINCE_LIMIT) throw new Error(`limit ${limit} over ${MAX_SINCE_LIMIT}`);
      limits.push(limit);
      const rows: Notification[] = [];
      for (let s = seq + 1; s <= Math.min(total, seq + limit); s++) {
        rows.push({ id: `n${s}`, userId: 'u', seq: s, kind: 'k', data: {}, dedupeKey: null, createdAt: '', readAt: null });
      }
      return rows;
    };
    return { since } as unknown as InboxStore;
  }

  it('reads a long range in pages the inbox accepts, in order, and stops at the end of the range', async () => {
    const limits: number[] = [];
    const seqs: number[] = [];
    for await (const page of rowsIn(fakeInbox(5000, limits), 'u', { after: 100, upTo: 2600 })) seqs.push(...page.map((n) => n.seq));
    assert.deepEqual(limits, [1000, 1000, 500]);
    assert.equal(seqs.length, 2500);
    assert.equal(seqs[0], 101);
    assert.equal(seqs.at(-1), 2600);
  });

  it('stops early when the inbox has fewer rows than the range', async () => {
    const limits: number[] = [];
    const pages: number[][] = [];
    for await (const page of rowsIn(fakeInbox(30, limits), 'u', { after: 20, upTo: 50 })) pages.push(page.map((n) => n.seq));
    assert.deepEqual(pages, [[21, 22, 23, 24, 25, 26, 27, 28, 29, 30]]);
    assert.deepEqual(limits, [30, 20]);
  });
});
