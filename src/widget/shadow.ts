/**
 * The static shadow DOM of <tidings-bell>: the button with its badge, a live region, and the panel.
 * Built with DOM calls (no HTML strings), once per element.
 */
import { ARCHIVE, BELL, CHECK_ALL, adoptStyles, h, icon } from './dom.js';
import type { BellStrings } from './strings.js';
import { STYLES } from './styles.js';

/** The parts the element updates. */
export interface BellParts {
  button: HTMLButtonElement;
  badge: HTMLSpanElement;
  /** Polite live region: count changes and announcements for screen readers. */
  live: HTMLDivElement;
  panel: HTMLDivElement;
  status: HTMLParagraphElement;
  statusText: HTMLSpanElement;
  /** "Retry now" / "Retry" in the status line (hidden when there is nothing to retry). */
  retry: HTMLButtonElement;
  markAll: HTMLButtonElement;
  markAllLabel: HTMLSpanElement;
  title: HTMLHeadingElement;
  /**
   * The head's action buttons ("Mark all as read"). Another view of the panel (e.g. notification
   * preferences) adds its toggle here and swaps what `body` shows.
   */
  actions: HTMLDivElement;
  /** "Archive all read" (an icon button in the head). */
  archiveRead: HTMLButtonElement;
  /** The "Unread" / "All" switch (two toggle buttons in a labelled group). */
  filters: HTMLDivElement;
  tabUnread: HTMLButtonElement;
  tabAll: HTMLButtonElement;
  /** Where the list view's element goes. */
  body: HTMLDivElement;
}

/** Fills `root` and returns its parts. */
export function buildShadow(root: ShadowRoot): BellParts {
  adoptStyles(root, STYLES);
  const badge = h('span', { class: 'badge', part: 'badge', role: 'img', hidden: '' });
  const button = h(
    'button',
    { class: 'bell', part: 'button', type: 'button', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'aria-controls': 'tidings-panel', 'aria-label': 'Notifications' },
    icon('', ...BELL),
    badge,
    h('span', { class: 'offline-dot' }),
  );
  const markAllLabel = h('span', {}, 'Mark all as read');
  const markAll = h('button', { class: 'all', type: 'button', part: 'mark-all' }, icon('', ...CHECK_ALL), markAllLabel);
  const title = h('h2', { id: 'tidings-title' }, 'Notifications');
  const archiveRead = h('button', { class: 'head-act archive-read', type: 'button', part: 'archive-read', 'aria-label': 'Archive all read', title: 'Archive all read' }, icon('', ...ARCHIVE));
  const actions = h('div', { class: 'actions' }, markAll, archiveRead);
  const tabUnread = h('button', { class: 'tab', type: 'button', 'aria-pressed': 'false' }, 'Unread');
  const tabAll = h('button', { class: 'tab', type: 'button', 'aria-pressed': 'true' }, 'All');
  const filters = h('div', { class: 'filters', role: 'group', 'aria-label': 'Show' }, tabAll, tabUnread);
  const statusText = h('span', {});
  const retry = h('button', { class: 'retry', type: 'button', hidden: '' });
  const status = h('p', { class: 'status', role: 'status', hidden: '' }, statusText, retry);
  const body = h('div', { class: 'body' });
  const panel = h(
    'div',
    { id: 'tidings-panel', class: 'panel', part: 'panel', role: 'dialog', 'aria-labelledby': 'tidings-title', tabindex: '-1', hidden: '' },
    h('div', { class: 'head' }, title, actions),
    filters,
    status,
    body,
  );
  const live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  root.append(button, live, panel);
  return { button, badge, live, panel, status, statusText, retry, archiveRead, filters, tabUnread, tabAll, markAll, markAllLabel, title, actions, body };
}

/** The static words of the panel, in the page's language. */
export function applyStrings(parts: BellParts, strings: BellStrings): void {
  parts.title.textContent = strings.title;
  parts.markAllLabel.textContent = strings.markAll;
  parts.archiveRead.setAttribute('aria-label', strings.archiveRead);
  parts.archiveRead.title = strings.archiveRead;
  parts.tabUnread.textContent = strings.tabUnread;
  parts.tabAll.textContent = strings.tabAll;
  parts.filters.setAttribute('aria-label', strings.tabs);
}

/** The badge shows `count`; the bell rings when it went up from `before`. */
export function showCount(parts: BellParts, count: number, before: number): void {
  const { badge, button } = parts;
  badge.hidden = count === 0;
  badge.textContent = count > 99 ? '99+' : String(count);
  if (count > before) {
    button.classList.remove('ring');
    void button.offsetWidth; // restart the animation
    button.classList.add('ring');
  }
}
