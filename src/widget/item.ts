/** What the bell lists (no DOM here: Node code and tests import it too). */
import type { NotificationView } from '../client/index.js';

/** A row: a stored notification, or a site-wide broadcast (never stored, so never "unread"). */
export interface ListItem extends NotificationView {
  broadcast?: boolean;
}
