/**
 * `tidings/client`: the browser client of a Tidings `/inform/` endpoint. No dependencies, no Node imports.
 *
 * ```js
 * import { createTidingsClient } from '/static/tidings-client.js';
 * const client = createTidingsClient({ getToken: () => fetch('/my/token').then((r) => r.text()) });
 * client.on('unread', (n) => (badge.textContent = String(n)));
 * client.on('announce', (a) => showToast(a));
 * ```
 */
export { createTidingsClient } from './client.js';
export { TidingsClientError } from './errors.js';
export { CloseCode, shouldReconnect } from '../protocol/close-codes.js';
export type { NotificationView } from '../protocol/frames.js';
export type * from './types.js';
export type { VisibilityDocument } from './visibility.js';
