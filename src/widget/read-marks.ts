/**
 * Optimistic mark-read: rows turn read at once; the server confirms with its `unread` frame. A mark it does
 * not store (an `error` frame answering the socket's `read`, or a failed HTTP fallback) is undone: the rows
 * show unread again and the bell says so.
 */
import type { TidingsClient } from '../client/index.js';
import type { NotificationListView } from './list-view.js';
import type { ListItem } from './row.js';

/** Error codes the client makes itself (everything else came from the server). */
const CLIENT_CODES = new Set(['INVALID_OPTIONS', 'INVALID_SERVER_FRAME', 'TOKEN_FAILED', 'UNAUTHORIZED', 'CLOSED', 'NETWORK_ERROR', 'HTTP_ERROR']);
/** How long an optimistic mark waits for the server's `unread` frame before it is taken as stored. */
const PENDING_MS = 10_000;

/** The marks of one client and list. */
export class ReadMarks {
  private pending: { ids: readonly string[]; timer: ReturnType<typeof setTimeout> }[] = [];

  /** `failed(err, 'mark')` is called after rows were shown unread again; `'action'` when {@link act} failed. */
  constructor(
    private readonly client: TidingsClient,
    private readonly view: NotificationListView,
    private readonly failed: (err: unknown, what: 'mark' | 'action') => void,
  ) {}

  /** Another change (mark unread, archive): the list follows the client's `change` event once it is sent. */
  act(run: (client: TidingsClient) => Promise<void>): void {
    if (this.client.state !== 'open') return;
    run(this.client).catch((err: unknown) => this.failed(err, 'action'));
  }

  /** Marks one item read (nothing while the client is not open: the bell disables the action). */
  one(item: ListItem): void {
    if (this.client.state !== 'open' || item.readAt || item.broadcast) return;
    this.view.markRead({ ids: [item.id] });
    this.track([item.id]);
    this.client.markRead([item.id]).catch((err: unknown) => this.undo(err));
  }

  /** Marks everything read. */
  all(): void {
    if (this.client.state !== 'open') return;
    const ids = this.view.unreadIds();
    this.view.markRead({ all: true });
    this.track(ids);
    this.client.markAllRead().catch((err: unknown) => this.undo(err));
  }

  /** The server sent a count: what was pending is stored. */
  confirm(): void {
    this.settle();
  }

  /** A client error: one from the server while marks are pending means they were not stored. */
  error(err: { code: string }): void {
    if (!CLIENT_CODES.has(err.code) && this.pending.length > 0) this.undo(err);
  }

  /** Forgets everything (the client is going away). */
  clear(): void {
    this.settle();
  }

  private undo(err: unknown): void {
    this.view.markUnread(this.settle());
    this.failed(err, 'mark');
  }

  private track(ids: readonly string[]): void {
    const entry = { ids, timer: setTimeout(() => (this.pending = this.pending.filter((p) => p !== entry)), PENDING_MS) };
    this.pending.push(entry);
  }

  private settle(): string[] {
    const ids = this.pending.flatMap((p) => p.ids);
    for (const p of this.pending) clearTimeout(p.timer);
    this.pending = [];
    return ids;
  }
}
