/**
 * Page visibility for the server: the client reports `{"type":"visibility","state":"visible"|"hidden"}`
 * from the Page Visibility API, so a notification shown on a hidden tab can still escalate (webhook, email,
 * Web Push) while one shown on a visible tab does not. A connection that never reports counts as visible.
 */
import type { ClientFrame } from '../protocol/frames.js';

/** The part of `document` used here. */
export interface VisibilityDocument {
  visibilityState?: string;
  addEventListener?(type: 'visibilitychange', listener: () => void): void;
  removeEventListener?(type: 'visibilitychange', listener: () => void): void;
}

/** Reports visibility over a connection; see the module comment. */
export interface VisibilityReporter {
  /** A connection said hello: report the state if it is not the default (visible). */
  opened(): void;
  /** Stop listening. */
  close(): void;
}

/** Watch `doc` and send a frame with `send` while `isOpen()`; a no-op without a document. */
export function reportVisibility(doc: VisibilityDocument | undefined, send: (frame: ClientFrame) => boolean, isOpen: () => boolean): VisibilityReporter {
  if (!doc?.addEventListener) return { opened() {}, close() {} };
  const state = (): 'visible' | 'hidden' => (doc.visibilityState === 'hidden' ? 'hidden' : 'visible');
  const onChange = (): void => {
    if (isOpen()) send({ type: 'visibility', state: state() });
  };
  doc.addEventListener('visibilitychange', onChange);
  return {
    opened() {
      if (state() === 'hidden') send({ type: 'visibility', state: 'hidden' });
    },
    close() {
      doc.removeEventListener?.('visibilitychange', onChange);
    },
  };
}
