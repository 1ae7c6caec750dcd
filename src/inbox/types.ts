/**
 * The inbox: every personal notification, persisted per user with a per-user sequence number, read state
 * and an exact unread count. Backends: `SqliteInboxStore` (default) and `PostgresInboxStore`.
 *
 * Durability lives here: the publisher writes (and commits) before anything is pushed, and a reconnecting
 * client replays from here with `since(userId, seq)`.
 */

/** A notification to store. */
export interface NewNotification {
  /**
   * Recipient user id (1-128 chars, no NUL or lone surrogate). Unknown users are fine: the row waits for
   * them.
   */
  userId: string;
  /** What happened, e.g. `reply`, `follow` (1-64 chars). */
  kind: string;
  /** Free-form JSON object shown by clients (at most 64 KiB of JSON text). Stored as `JSON.stringify` makes it. */
  data: Record<string, unknown>;
  /**
   * Optional idempotency key (1-256 chars), unique per user: adding the same key twice stores one row and
   * returns that row with `created: false`, whatever the second call's kind and data. A duplicate takes no
   * seq and changes no count.
   */
  dedupeKey?: string | undefined;
}

/** A stored notification. */
export interface Notification {
  /** Globally unique id (opaque string). */
  id: string;
  userId: string;
  /** Per-user sequence number: 1, 2, 3 … with no gaps for a user, assigned at commit. */
  seq: number;
  kind: string;
  data: Record<string, unknown>;
  dedupeKey: string | null;
  /** ISO-8601 UTC. */
  createdAt: string;
  /** ISO-8601 UTC, or null while unread. */
  readAt: string | null;
}

/** Result of {@link InboxStore.add}. */
export interface AddResult {
  notification: Notification;
  /** The user's unread count right after this add committed. */
  unread: number;
  /** False when `dedupeKey` matched an existing row (nothing new was stored). */
  created: boolean;
}

/** Query for {@link InboxStore.list}: newest first. */
export interface ListQuery {
  /** Only unread notifications. */
  unreadOnly?: boolean;
  /** Page size, 1-100 (default 20); values outside are clamped. */
  limit?: number;
  /** Only notifications with a seq lower than this (the `nextBefore` of the previous page). */
  before?: number;
}

/** One page of notifications, newest first. */
export interface Page<T> {
  items: T[];
  /** Pass as `before` to get the next page; null when this is the last page. */
  nextBefore: number | null;
}

/** A user's counters. */
export interface InboxCounts {
  unread: number;
  /** Highest seq assigned to the user (0 when none). */
  seq: number;
  /**
   * How many times the user's read state changed (mark read or unread, archive): with `seq`, it orders
   * counts read at different moments, since a count can now go up between two adds.
   */
  rev: number;
}

/**
 * A per-user notification store. Invalid arguments reject with TidingsError `INVALID_BODY` (naming the
 * field in `details`) before anything is queued; database failures reject with `INBOX_UNAVAILABLE`.
 */
export interface InboxStore {
  /**
   * Store a notification and return it with its seq and the user's new unread count. Resolves only after
   * the write is committed (durable). Concurrent adds may be committed together in one transaction
   * (group commit) but each gets its own seq, in call order per user.
   * @throws TidingsError INBOX_UNAVAILABLE when the database cannot be reached, the store is closed, or
   *   too many writes are waiting; nothing is stored then (a connection lost during COMMIT is the one
   *   ambiguous case: use `dedupeKey` to retry safely).
   */
  add(n: NewNotification): Promise<AddResult>;

  /**
   * Store several at once (one transaction, all or nothing); results in input order. A repeated dedupe key
   * within the call resolves to its first occurrence. Same errors as `add`.
   */
  addMany(ns: readonly NewNotification[]): Promise<AddResult[]>;

  /** A page of the user's notifications that are not archived, newest first. */
  list(userId: string, q?: ListQuery): Promise<Page<Notification>>;

  /**
   * Notifications of the user with seq > `seq`, oldest first, at most `limit` (replay after reconnect).
   * Fewer than `limit` means there is nothing more.
   * @throws TidingsError BAD_CURSOR when `seq` is not a non-negative integer; INVALID_BODY when `limit`
   *   is not an integer from 0 to 1000 (`MAX_SINCE_LIMIT`).
   */
  since(userId: string, seq: number, limit: number): Promise<Notification[]>;

  /**
   * Mark these notifications of the user read. Ids of other users or already read are ignored.
   * Returns how many changed from unread to read.
   */
  markRead(userId: string, ids: readonly string[]): Promise<number>;

  /** Mark every notification of the user read; returns how many changed. */
  markAllRead(userId: string): Promise<number>;

  /**
   * Mark these read notifications of the user unread again (the unread count goes up by as many). Ids of
   * other users, unread or archived ones are ignored. Returns how many changed from read to unread.
   */
  markUnread(userId: string, ids: readonly string[]): Promise<number>;

  /**
   * Archive these notifications of the user: they leave `list` (and so every tab's list) and count as read,
   * so archiving an unread one lowers the unread count. Ids of other users or already archived are ignored.
   * `since` still replays archived rows (their seq stays taken). Returns how many were archived.
   */
  archive(userId: string, ids: readonly string[]): Promise<number>;

  /** Archive every read, not yet archived notification of the user (the unread count is unchanged). */
  archiveRead(userId: string): Promise<number>;

  /** Exactly the number of the user's unread rows. */
  unreadCount(userId: string): Promise<number>;

  /** Unread count and highest seq, read together. */
  counts(userId: string): Promise<InboxCounts>;

  /** Whether the database answers (for `/readyz`). Never throws. */
  ping(): Promise<boolean>;

  /**
   * Finish pending writes (their promises settle first), then close. Idempotent; later calls reject with
   * INBOX_UNAVAILABLE.
   */
  close(): Promise<void>;
}
