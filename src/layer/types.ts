/**
 * The channel layer: named channels (one per connection) and named groups of channels, in the model of
 * Django Channels. Backends: `MemoryChannelLayer` (one process) and `RedisChannelLayer` (many processes).
 *
 * Delivery is AT MOST ONCE. A message may be dropped (full channel, expiry, a process or Redis going away);
 * what must not be lost lives in the inbox, which a client replays after reconnecting.
 */
import type { Logger } from '../log/index.js';

/**
 * A message carried by the layer. `type` names the consumer handler that receives it
 * (`'web_update_inform'`, `'notification.created'`). It must be JSON-serialisable (Redis carries it as JSON).
 * Receivers must treat it as read-only: a backend may hand the same object to every local member, which is
 * what lets a broadcast be encoded once for all of them.
 */
export interface LayerMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** The `type` of a {@link DroppedNotice}. */
export const DROPPED_TYPE = 'layer.dropped';

/**
 * Delivered to a channel's receiver after group messages addressed to it were dropped because the channel
 * was full: the layer is at most once, but a receiver always learns of a loss, right after the messages it
 * did get, and can re-sync from its source of truth (the notification consumer reads the inbox).
 * `count` is how many were dropped since the previous notice.
 */
export interface DroppedNotice extends LayerMessage {
  readonly type: typeof DROPPED_TYPE;
  readonly count: number;
}

/** Called for each message delivered to a channel. It must not throw; a throw is logged and swallowed. */
export type MessageHandler = (message: LayerMessage) => void;

/** `ready`: all parts reachable. `degraded`: a backend (Redis) is unreachable; only local delivery works. */
export type LayerState = 'ready' | 'degraded' | 'closed';

/** Options common to every backend. All durations are in seconds, as in channels_redis. */
export interface ChannelLayerOptions {
  /**
   * Undelivered messages a channel may hold before `send` throws `ChannelFullError`. Default 100. Messages
   * waiting for the receiver's next delivery batch count too, so a burst is bounded even with a receiver.
   */
  capacity?: number;
  /** Seconds an undelivered message waits for its receiver before it is dropped. Default 60. */
  expiry?: number;
  /**
   * Seconds a group membership lives unless renewed by `groupAdd`. Default 86400. Only a membership whose
   * channel nobody receives expires: an open connection keeps its groups for as long as it stays open.
   */
  groupExpiry?: number;
  /**
   * Prefix for backend keys and topics (Redis), so several deployments or tests can share one Redis.
   * Default `tidings`. (Channel names take their prefix from `newChannel(prefix)`.)
   */
  prefix?: string;
}

/** Counters every backend keeps (exported as metrics). */
export interface LayerStats {
  /** Messages handed to a local receiver. */
  delivered: number;
  /** Group members skipped by `groupSend` because their channel was full. */
  droppedFull: number;
  /** Messages dropped because they expired before a receiver took them. */
  droppedExpired: number;
}

export interface ChannelLayer {
  /** Current reachability of the backend. A memory layer is always `ready` until closed. */
  readonly state: LayerState;
  /** Counters since creation. */
  readonly stats: Readonly<LayerStats>;

  /**
   * A new, unique, process-specific channel name: `<prefix>.<node>!<random>`. Synchronous and local.
   * `<node>` identifies this layer instance; the random part is unguessable.
   * @param prefix - defaults to `specific`; must be a valid name without `!`.
   * @throws TypeError for an invalid prefix.
   */
  newChannel(prefix?: string): string;

  /**
   * Become the receiver of `channel`. Messages already waiting for it (and not expired) are delivered first,
   * in order, then new ones as they arrive, asynchronously (never inside the sender's call stack).
   * One receiver per channel: a second call replaces the first. Returns a function that stops receiving;
   * messages sent afterwards wait again (up to `capacity`, for `expiry`).
   * A multi-process backend only accepts channels of this process (from its `newChannel`).
   * @throws TypeError for an invalid channel name (or, multi-process, a channel of another process).
   */
  receive(channel: string, onMessage: MessageHandler): () => void;

  /**
   * Send to one channel. Resolves once the layer has accepted the message (not once it was handled).
   * @throws ChannelFullError when the channel holds `capacity` undelivered messages.
   * @throws TypeError for an invalid channel name or a message without a string `type`.
   * @throws TidingsError LAYER_UNAVAILABLE when the backend is unreachable (fails fast, never hangs).
   * @throws TidingsError MESSAGE_TOO_LARGE when the encoded message exceeds the backend's limit.
   */
  send(channel: string, message: LayerMessage): Promise<void>;

  /**
   * Add a channel to a group (renewing its membership for `groupExpiry`). Idempotent. Once this resolves,
   * group sends from any process reach the channel (for a channel of another process: once that process has
   * applied the change). A multi-process backend needs a process-specific channel.
   * @throws TypeError for an invalid name.
   */
  groupAdd(group: string, channel: string): Promise<void>;

  /** Remove a channel from a group. Idempotent; unknown names are fine. */
  groupDiscard(group: string, channel: string): Promise<void>;

  /**
   * Send to every channel in the group, at most once each. A full member is skipped and counted in
   * `stats.droppedFull`, never failing the broadcast; its receiver then gets a {@link DroppedNotice} once
   * its queue has drained (a channel with no receiver gets it when a receiver comes, unless its messages
   * expired meanwhile). Members in this process receive even when the backend
   * is unreachable; the promise then rejects with LAYER_UNAVAILABLE for the remote part.
   * @throws TypeError for an invalid group name; TidingsError MESSAGE_TOO_LARGE as for `send`.
   */
  groupSend(group: string, message: LayerMessage): Promise<void>;

  /**
   * Stop receiving, drop local state and close backend connections. Idempotent. Afterwards `state` is
   * `closed`, `send`/`groupSend`/`groupAdd` reject with LAYER_UNAVAILABLE, and `groupDiscard` and `receive`
   * do nothing (cleanup paths never throw).
   */
  close(): Promise<void>;

  /**
   * Call `listener(state, previous)` on each change of `state` (e.g. `ready` -> `degraded` when Redis goes
   * away). Returns a function that removes the listener. Optional: absent on backends whose state never changes.
   */
  onStateChange?(listener: (state: LayerState, previous: LayerState) => void): () => void;
}

/** Sizes of a layer's local state (for gauges and tests). */
export interface LayerUsage {
  /** Channels held: with a receiver, buffered messages or a group membership. */
  readonly channels: number;
  /** Groups with at least one local member. */
  readonly groups: number;
}

/** Options of the in-process core every layer embeds (`LocalRegistry`), already validated. */
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
