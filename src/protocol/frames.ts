/**
 * Wire frames of the built-in notification endpoint (`/inform/`). All frames are JSON text frames with a
 * `type` field. Client frames are validated with zod on the way in; server frames are plain types with a
 * table of their required fields (server-frames.ts, free of zod: the browser client checks frames with it).
 */
import { z } from 'zod';
import { MAX_IDS_PER_REQUEST, MAX_NOTIFICATION_ID_LENGTH, MAX_TOKEN_LENGTH } from './limits.js';

/** Longest list of ids accepted in one `read` frame. */
export const MAX_READ_IDS = MAX_IDS_PER_REQUEST;
const ids = z.array(z.string().min(1).max(MAX_NOTIFICATION_ID_LENGTH)).min(1).max(MAX_READ_IDS);

/** `{"type":"read","ids":[…]}`: mark these notifications of the connected user read. */
export const ReadFrame = z.object({
  type: z.literal('read'),
  ids,
});
/** `{"type":"mark_unread","ids":[…]}`: show these read notifications of the connected user unread again. */
export const MarkUnreadFrame = z.object({
  type: z.literal('mark_unread'),
  ids,
});
/** `{"type":"archive","ids":[…]}`: archive these notifications (out of lists; an unread one counts as read). */
export const ArchiveFrame = z.object({
  type: z.literal('archive'),
  ids,
});
/** `{"type":"archive_read"}`: archive every read notification of the connected user. */
export const ArchiveReadFrame = z.object({ type: z.literal('archive_read') });
/** `{"type":"read_all"}`: mark every notification of the connected user read. */
export const ReadAllFrame = z.object({ type: z.literal('read_all') });
/** `{"type":"resume","since":<seq>}`: send every notification with a greater seq, then live ones. */
export const ResumeFrame = z.object({ type: z.literal('resume'), since: z.number().int().min(0) });
/** `{"type":"refresh","token":"…"}`: replace the connection's token before it expires. */
export const RefreshFrame = z.object({ type: z.literal('refresh'), token: z.string().min(1).max(MAX_TOKEN_LENGTH) });
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

export * from './server-frames.js';
