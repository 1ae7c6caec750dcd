/**
 * Wire frames of the built-in notification endpoint (`/inform/`). All frames are JSON text frames with a
 * `type` field. Client frames are validated with zod on the way in; server frames are plain types (the
 * server builds them, the browser client reads them).
 */
import { z } from 'zod';

/** Longest list of ids accepted in one `read` frame. */
export const MAX_READ_IDS = 1000;

/** `{"type":"read","ids":[…]}`: mark these notifications of the connected user read. */
export const ReadFrame = z.object({
  type: z.literal('read'),
  ids: z.array(z.string().min(1).max(128)).min(1).max(MAX_READ_IDS),
});
/** `{"type":"mark_unread","ids":[…]}`: show these read notifications of the connected user unread again. */
export const MarkUnreadFrame = z.object({
  type: z.literal('mark_unread'),
  ids: z.array(z.string().min(1).max(128)).min(1).max(MAX_READ_IDS),
});
/** `{"type":"archive","ids":[…]}`: archive these notifications (out of lists; an unread one counts as read). */
export const ArchiveFrame = z.object({
  type: z.literal('archive'),
  ids: z.array(z.string().min(1).max(128)).min(1).max(MAX_READ_IDS),
});
/** `{"type":"archive_read"}`: archive every read notification of the connected user. */
export const ArchiveReadFrame = z.object({ type: z.literal('archive_read') });
/** `{"type":"read_all"}`: mark every notification of the connected user read. */
export const ReadAllFrame = z.object({ type: z.literal('read_all') });
/** `{"type":"resume","since":<seq>}`: send every notification with a greater seq, then live ones. */
export const ResumeFrame = z.object({ type: z.literal('resume'), since: z.number().int().min(0) });
/** `{"type":"refresh","token":"…"}`: replace the connection's token before it expires. */
export const RefreshFrame = z.object({ type: z.literal('refresh'), token: z.string().min(1).max(8192) });
/** `{"type":"ping"}`: application-level ping; the server answers `{"type":"pong"}`. */
export const PingFrame = z.object({ type: z.literal('ping') });

/**
 * `{"type":"visibility","state":"visible"|"hidden"}`: the page was shown or hidden (Page Visibility API).
 * A connection that never sends one counts as visible. Escalation (src/reach) only skips notifications
 * delivered to a visible connection.
 */
export const VisibilityFrame = z.object({ type: z.literal('visibility'), state: z.enum(['visible', 'hidden']) });

/** Every frame a client may send to `/inform/`. */
export const ClientFrame = z.discriminatedUnion('type', [ReadFrame, ReadAllFrame, MarkUnreadFrame, ArchiveFrame, ArchiveReadFrame, ResumeFrame, RefreshFrame, PingFrame, VisibilityFrame]);
export type ClientFrame = z.infer<typeof ClientFrame>;

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
