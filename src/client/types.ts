/**
 * Public types of the browser client. The client runs in browsers (and, for tests, in Node with injected
 * fakes), so the WebSocket, BroadcastChannel and fetch it uses are described structurally here rather than
 * taken from the DOM lib: any implementation with this shape works.
 */
import type { VisibilityDocument } from './visibility.js';
import type { NotificationView } from '../protocol/frames.js';
import type { TidingsClientError } from './errors.js';

/**
 * Connection state of a client.
 * - `connecting`: opening a socket (or waiting for the server's `hello`).
 * - `open`: the server said `hello`; frames flow.
 * - `offline`: the link was lost; a reconnect is scheduled with backoff.
 * - `unauthorized`: the server refused a fresh token too (close 4501 twice); no retry until `reconnect()`.
 * - `closed`: `close()` was called, or the server closed with a "do not reconnect" code.
 */
export type TidingsState = 'connecting' | 'open' | 'offline' | 'unauthorized' | 'closed';

/** A personal notification. `replayed` is true when it was missed while offline and sent on resume. */
export interface TidingsNotification extends NotificationView {
  replayed: boolean;
}

/** A site-wide message (not stored by the server, so never replayed). */
export interface TidingsBroadcast {
  id: string;
  kind: string;
  data: Record<string, unknown>;
  createdAt: string;
}

/** Something to show as a toast or play a sound for: emitted in one tab only per item. */
export type Announcement =
  | { type: 'notification'; notification: TidingsNotification }
  | { type: 'broadcast'; broadcast: TidingsBroadcast };

/** Notifications marked read, in this tab or in another tab of the same user. */
export type ReadChange = { ids: string[] } | { all: true };

/**
 * Other changes to the inbox, here or in another tab: read notifications shown unread again, notifications
 * archived (they leave the list), or every read one archived.
 */
export type InboxChange = { unread: string[] } | { archive: string[] } | { archiveRead: true };

/** Why the client asks its owner to reload the notification list over HTTP. */
export interface Resync {
  /** `not-recovered`: the server could not replay from our cursor. `history-reset`: the server's seq went back. */
  reason: 'not-recovered' | 'history-reset' | 'user-changed';
}

/** Events of {@link TidingsClient.on} and their payloads. */
export interface TidingsEvents {
  /** A personal notification, once per id, in seq order. */
  notification: TidingsNotification;
  /** A site-wide message, once per id. */
  broadcast: TidingsBroadcast;
  /** A notification or broadcast to announce (toast, sound): fired in exactly one tab of the user. */
  announce: Announcement;
  /** The unread count changed. */
  unread: number;
  /** The connection state changed. */
  state: TidingsState;
  /** Something went wrong that the client handled (malformed frame, server error frame, token failure…). */
  error: TidingsClientError;
  /** The client's view may have a gap: reload the list with `list()`. */
  resync: Resync;
  /** Notifications were marked read (here or in another tab): update list items. */
  read: ReadChange;
  /** Notifications were marked unread or archived (here or in another tab): update the list. */
  change: InboxChange;
}

/** Handler type that accepts DOM and `ws` event handlers alike (parameters compared bivariantly). */
export type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The part of the WebSocket interface the client uses (the browser's `WebSocket` fits). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
/** A WebSocket class. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

/** The part of the BroadcastChannel interface the client uses. */
export interface BroadcastChannelLike {
  onmessage: Handler<{ data: unknown }> | null;
  postMessage(message: unknown): void;
  close(): void;
}
/** A BroadcastChannel class. */
export type BroadcastChannelConstructor = new (name: string) => BroadcastChannelLike;

/** The part of a fetch Response the client uses. */
export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  json(): Promise<unknown>;
}
/** The part of `fetch` the client uses. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<ResponseLike>;

/** Returns the connection token (a JWT), or null/undefined to rely on cookies. Called before every connect. */
export type GetToken = () => string | null | undefined | Promise<string | null | undefined>;

/** Options of {@link createTidingsClient}. */
export interface TidingsClientOptions {
  /** WebSocket URL of the endpoint, absolute or relative to the page. Default: same origin `/inform/`. */
  url?: string;
  /** Base URL of the HTTP API (`/v1/me/…`). Default: the origin of `url`. */
  httpUrl?: string;
  /** Supplies the token; called before each connection, on refresh, and once more after a 4501 close. */
  getToken?: GetToken;
  /** Resume after this seq on the first connection (e.g. the last seq the page rendered). */
  since?: number;
  /**
   * Reconnect delays: full jitter, `random() * min(maxMs, baseMs * 2^attempt)`. Default 1000 / 30000. After a
   * 4001 (the server draining or restarting) the attempts start at 2: the first delay is within 4x `baseMs`.
   */
  backoff?: { baseMs?: number; maxMs?: number };
  /** A connection open this long resets the backoff. Default 10000. */
  stableAfterMs?: number;
  /** Give up on a connection that has not said `hello` after this long. Default 10000. */
  connectTimeoutMs?: number;
  /** Refresh a JWT this long before its `exp` (at most half its remaining life). Default 30000. */
  refreshBeforeMs?: number;
  /** How long tabs negotiate which one announces an item. Default 50. */
  announceDelayMs?: number;
  /**
   * Where the token is sent. `protocol` (default): as the subprotocol `tidings.bearer.<token>` beside
   * `tidings`, so it stays out of URLs and access logs. `query`: as `?token=` (servers before this option).
   */
  tokenIn?: 'protocol' | 'query';
  /** WebSocket class, constructed as `new WebSocket(url, protocols)`. Default: the global `WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** BroadcastChannel class for multi-tab coordination; `null` disables it. Default: the global one. */
  BroadcastChannel?: BroadcastChannelConstructor | null;
  /** fetch for the HTTP API. Default: the global `fetch`. */
  fetch?: FetchLike;
  /** Random source in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
  /**
   * Where page visibility is read (Page Visibility API) and reported to the server with `visibility`
   * frames, so notifications shown on a hidden tab can still escalate; `null` reports nothing (the
   * connection counts as visible). Default: the global `document`.
   */
  document?: VisibilityDocument | null;
}

/** Query of {@link TidingsClient.list}. */
export interface ListOptions {
  /** Only notifications with a smaller seq (the previous page's `nextBefore`). */
  before?: number;
  /** Page size (the server caps it). Default 20. */
  limit?: number;
  /** Only unread notifications. */
  unreadOnly?: boolean;
}

/** A page of the user's inbox, newest first. */
export interface NotificationPage {
  items: NotificationView[];
  /** Pass as `before` to get the next (older) page; null at the end. */
  nextBefore: number | null;
  unread: number;
}

/** A connected notification client. */
export interface TidingsClient {
  /** Current connection state. */
  readonly state: TidingsState;
  /** Exact unread count as last reported by the server (0 before the first `hello`). */
  readonly unreadCount: number;
  /** The authenticated user id from `hello` (null when anonymous, undefined before the first `hello`). */
  readonly user: string | null | undefined;
  /** The highest notification seq seen: the resume cursor. */
  readonly seq: number | undefined;
  /** Subscribe to an event; returns the unsubscribe function. */
  on<K extends keyof TidingsEvents>(event: K, listener: (payload: TidingsEvents[K]) => void): () => void;
  /** A page of the inbox over HTTP. Rejects with a {@link TidingsClientError}. */
  list(options?: ListOptions): Promise<NotificationPage>;
  /** Mark notifications read: over the socket when open, else over HTTP. */
  markRead(ids: readonly string[]): Promise<void>;
  /** Mark every notification read: over the socket when open, else over HTTP. */
  markAllRead(): Promise<void>;
  /** Show read notifications unread again (the count goes up in every tab): socket when open, else HTTP. */
  markUnread(ids: readonly string[]): Promise<void>;
  /** Archive notifications (they leave every list; an unread one counts as read): socket, else HTTP. */
  archive(ids: readonly string[]): Promise<void>;
  /** Archive every read notification: socket when open, else HTTP. */
  archiveRead(): Promise<void>;
  /** Connect now, skipping any backoff wait; also restarts after `unauthorized` or a server's final close. */
  reconnect(): void;
  /** Close for good: no more reconnects or events except the final `state: 'closed'`. */
  close(): void;
}
