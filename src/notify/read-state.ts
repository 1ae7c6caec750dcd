/** Client frames that change read state, applied through the publisher (stored, then pushed to every tab). */
import type { ClientFrame } from '../protocol/frames.js';
import type { Publisher } from './publisher.js';

/** A frame that marks read or unread, or archives. */
export type ReadStateFrame = Extract<ClientFrame, { type: 'read' | 'read_all' | 'mark_unread' | 'archive' | 'archive_read' }>;

/** Apply `frame` to `userId`'s inbox; resolves with the new unread count. */
export function applyReadState(publisher: Publisher, userId: string, frame: ReadStateFrame): Promise<number> {
  switch (frame.type) {
    case 'read':
      return publisher.markRead(userId, frame.ids);
    case 'read_all':
      return publisher.markAllRead(userId);
    case 'mark_unread':
      return publisher.markUnread(userId, frame.ids);
    case 'archive':
      return publisher.archive(userId, frame.ids);
    case 'archive_read':
      return publisher.archiveRead(userId);
  }
}
