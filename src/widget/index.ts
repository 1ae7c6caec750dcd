/**
 * `tidings/widget`: the `<tidings-bell>` custom element. Importing this module defines the element
 * (once). Drop-in use:
 *
 * ```html
 * <script type="module" src="/static/tidings-bell.js"></script>
 * <tidings-bell token-url="/my/tidings-token"></tidings-bell>
 * ```
 */
import { TidingsBellElement } from './bell-element.js';

if (typeof customElements !== 'undefined' && !customElements.get('tidings-bell')) {
  customElements.define('tidings-bell', TidingsBellElement);
}

export { TidingsBellElement };
export { describeNotification, relativeTime, type Description } from './describe.js';
export * from '../client/index.js';
