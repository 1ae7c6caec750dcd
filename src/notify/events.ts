/**
 * Channel-layer events of the notification service and the group names it uses. Events carry the frame
 * already encoded as JSON text, so each process encodes nothing per recipient: it wraps the text once
 * (`preparedFor`) and writes the same bytes to every local member.
 */
import { createHash } from 'node:crypto';
import type { LayerMessage } from '../layer/index.js';
import { prepareText, type PreparedText } from '../transport/index.js';

/** The site-wide group every connection joins. */
export const SITE_GROUP = 'tidings.site';

const SAFE_ID = /^[A-Za-z0-9_-]{1,80}$/;

/**
 * The personal group of a user. Ids made of safe characters map to `tidings.u.<id>`; any other id (e-mail,
 * Unicode, long) maps to `tidings.h.<sha256>`. The two forms cannot collide, and the mapping is exact:
 * `Alice` and `alice` are different users, as the ids are.
 */
export function userGroup(userId: string): string {
  if (SAFE_ID.test(userId)) return `tidings.u.${userId}`;
  return `tidings.h.${createHash('sha256').update(userId, 'utf8').digest('hex').slice(0, 48)}`;
}

/** The layer event type of a stored personal notification. */
export const NOTIFICATION_EVENT = 'tidings.notification';

/**
 * A stored personal notification, pushed to the user's group. `text` is the NotificationFrame JSON;
 * `unread` repeats its count (absent in events from older servers).
 */
export interface NotificationEvent extends LayerMessage {
  readonly type: typeof NOTIFICATION_EVENT;
  readonly user: string;
  readonly seq: number;
  readonly unread?: number;
  readonly text: string;
}

/** A site-wide message. `text` is the BroadcastFrame JSON. */
export interface BroadcastEvent extends LayerMessage {
  readonly type: 'tidings.broadcast';
  readonly text: string;
}

/**
 * The user's unread count changed. `text` is the UnreadFrame JSON. `seq` is the user's last seq when the
 * count was read: with `count` it orders counts (see `isOlder` in stream-cursor.ts), so a count that
 * arrives late is not shown over a newer one. Absent in events from older servers.
 */
export interface UnreadEvent extends LayerMessage {
  readonly type: 'tidings.unread';
  readonly user: string;
  readonly count: number;
  readonly seq?: number;
  /** The user's read-state revision with `seq` (see CountVersion). */
  readonly rev?: number;
  readonly text: string;
}

const prepared = new WeakMap<LayerMessage, PreparedText>();

/** The encoded frame of an event, built once per event object and shared by every local recipient. */
export function preparedFor(event: LayerMessage & { readonly text: string }): PreparedText {
  let p = prepared.get(event);
  if (!p) {
    p = prepareText(event.text);
    prepared.set(event, p);
  }
  return p;
}
