/**
 * `tidings/widget`: the `<tidings-bell>` custom element. Importing this module defines the element
 * (once). Drop-in use:
 *
 * ```html
 * <script type="module" src="https://tidings.example.com/bundles/<version>/tidings-bell.js"></script>
 * <tidings-bell token-url="/my/tidings-token"></tidings-bell>
 * ```
 */
import { TidingsBellElement, type RenderHook } from './bell-element.js';

if (typeof customElements !== 'undefined' && !customElements.get('tidings-bell')) {
  customElements.define('tidings-bell', TidingsBellElement);
}

export { TidingsBellElement, type RenderHook };
export { describeNotification, relativeTime, hrefOf, safeHref, type Description } from './describe.js';
export { stringsFor, EN, DE, LANGUAGES, type BellStrings, type Subject } from './strings.js';
export type { ListItem } from './row.js';
export * from '../client/index.js';
