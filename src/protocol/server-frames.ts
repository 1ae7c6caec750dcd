/**
 * The frames the server sends on `/inform/`: their types, and the one table of the fields each must carry,
 * typed against those types (a field named here that a frame does not have fails to compile). The browser
 * client checks every frame it gets against the table (src/client/parse.ts); the server's tests check every
 * frame it sends against it. No zod here: the client bundle imports this file.
 */

/** A stored notification as it appears on the wire and in the HTTP API. */
export interface NotificationView {
  id: string;
  seq: number;
  kind: string;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

/** First frame on every `/inform/` connection. `user` is null for an anonymous connection. */
export interface HelloFrame {
  type: 'hello';
  user: string | null;
  unread: number;
  seq: number;
  /** Seconds between server pings: a client that hears nothing for about twice this is disconnected. */
  ping: number;
}
/** A personal notification, pushed live or replayed. `unread` is the user's count after it was stored. */
export interface NotificationFrame {
  type: 'notification';
  id: string;
  seq: number;
  kind: string;
  data: Record<string, unknown>;
  createdAt: string;
  unread: number;
}
/** A site-wide message for everyone online (not stored, not replayed). */
export interface BroadcastFrame {
  type: 'broadcast';
  id: string;
  kind: string;
  data: Record<string, unknown>;
  createdAt: string;
}
/** The user's unread count changed (sent to every tab of the user). */
export interface UnreadFrame {
  type: 'unread';
  count: number;
}
/**
 * Replay finished. `recovered: false` means the server could not serve the cursor (it was ahead of the
 * user's seq, or older than what is kept): the client should reload its list from the inbox.
 */
export interface ResumedFrame {
  type: 'resumed';
  since: number;
  seq: number;
  count: number;
  recovered: boolean;
}
/** A client frame could not be used; the connection stays open. `code` is from the errors table. */
export interface ErrorFrame {
  type: 'error';
  code: string;
  message: string;
  details?: unknown;
}
/** Application-level keepalive, so browsers (which cannot see protocol pings) can detect a dead link. */
export interface PingServerFrame {
  type: 'ping';
}
export interface PongFrame {
  type: 'pong';
}

/** Every frame the server sends on `/inform/`. */
export type ServerFrame =
  | HelloFrame
  | NotificationFrame
  | BroadcastFrame
  | UnreadFrame
  | ResumedFrame
  | ErrorFrame
  | PingServerFrame
  | PongFrame;

/** The JSON type of a field, as the table names it. */
export type FieldType = 'string' | 'number' | 'object' | 'boolean';

type FieldsOf<F> = { [K in Exclude<keyof F, 'type'>]?: FieldType };

/** The fields every server frame must carry, and their JSON types, by frame type. */
export const SERVER_FRAME_FIELDS: { readonly [T in ServerFrame['type']]: FieldsOf<Extract<ServerFrame, { type: T }>> } = {
  hello: { unread: 'number', seq: 'number' },
  notification: { id: 'string', seq: 'number', kind: 'string', data: 'object', createdAt: 'string', unread: 'number' },
  broadcast: { id: 'string', kind: 'string', data: 'object', createdAt: 'string' },
  unread: { count: 'number' },
  resumed: { since: 'number', seq: 'number', count: 'number', recovered: 'boolean' },
  error: { code: 'string', message: 'string' },
  ping: {},
  pong: {},
};
