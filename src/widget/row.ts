/**
 * One row of the bell's list: a link when the item leads somewhere (its description has an `href`), else a
 * button; the unread mark and its "mark as read" button. Text always goes in as Text nodes.
 */
import { relativeTime, type Description } from './describe.js';
import { ARCHIVE, CHECK, DOT, h, icon } from './dom.js';
import type { ListItem } from './item.js';
import type { BellStrings } from './strings.js';

export type { ListItem } from './item.js';

/** What rendering needs from the bell. */
export interface RowContext {
  strings(): BellStrings;
  /** The page's language for dates ('' = the browser's). */
  locale(): string;
  /** The item's text and link (the `render` hook, the strings table, `data.url` / href templates). */
  describe(item: ListItem): Description;
  /** The entry was activated (click / Enter): mark read, tell the page. */
  select(item: ListItem): void;
  /** The row's "mark as read" button was pressed. */
  markRead(item: ListItem): void;
  /** The row's "mark as unread" button was pressed. */
  markUnread(item: ListItem): void;
  /** The row's "archive" button was pressed. */
  archive(item: ListItem): void;
  /** Whether actions can run now (false while offline). */
  enabled(): boolean;
}

/** The `<li>` for `item`. */
export function renderRow(item: ListItem, ctx: RowContext): HTMLLIElement {
  const described = ctx.describe(item);
  const strings = ctx.strings();
  const unread = !item.readAt && !item.broadcast;
  const content = [
    h('span', { class: 'avatar', 'aria-hidden': 'true' }, (described.actor || item.kind || '?').slice(0, 1)),
    h(
      'span',
      { class: 'text' },
      h('span', { class: 'sr-only status-text' }, unread ? strings.unreadPrefix : ''),
      h('span', { class: 'line' }, described.text),
      ...(described.detail ? [h('span', { class: 'detail' }, described.detail)] : []),
      h('time', { datetime: item.createdAt }, relativeTime(item.createdAt, Date.now(), ctx.locale(), strings.justNow)),
    ),
  ];
  const entry = described.href ? h('a', { class: 'entry', href: described.href }, ...content) : h('button', { class: 'entry', type: 'button' }, ...content);
  entry.addEventListener('click', () => ctx.select(item));
  const li = h('li', { class: `item${unread ? ' unread' : ''}${item.broadcast ? ' broadcast' : ''}`, part: 'item' }, entry);
  li.dataset.id = item.id;
  // Broadcasts are not stored: nothing to mark or archive.
  if (!item.broadcast) li.append(h('span', { class: 'acts' }, toggleButton(item, described.text, unread, ctx), archiveButton(item, described.text, ctx)));
  return li;
}

function actButton(className: string, title: string, label: string, path: readonly string[], ctx: RowContext, run: () => void): HTMLButtonElement {
  const button = h('button', { class: `act ${className}`, type: 'button', title, 'aria-label': label }, icon('', ...path));
  button.disabled = !ctx.enabled();
  button.addEventListener('click', run);
  return button;
}

/** "Mark as read" on an unread row, "Mark as unread" on a read one. */
function toggleButton(item: ListItem, text: string, unread: boolean, ctx: RowContext): HTMLButtonElement {
  const strings = ctx.strings();
  return unread
    ? actButton('mark', strings.markRead, strings.markReadOf(text), CHECK, ctx, () => ctx.markRead(item))
    : actButton('unmark', strings.markUnread, strings.markUnreadOf(text), DOT, ctx, () => ctx.markUnread(item));
}

function archiveButton(item: ListItem, text: string, ctx: RowContext): HTMLButtonElement {
  const strings = ctx.strings();
  return actButton('archive', strings.archive, strings.archiveOf(text), ARCHIVE, ctx, () => ctx.archive(item));
}

/** Shows `li` as read or unread (its toggle button follows), keeping keyboard focus on the row. */
export function setRowUnread(li: HTMLLIElement, item: ListItem, unread: boolean, ctx: RowContext): void {
  li.classList.toggle('unread', unread);
  const status = li.querySelector('.status-text');
  if (status) status.textContent = unread ? ctx.strings().unreadPrefix : '';
  const old = li.querySelector('.mark, .unmark');
  if (!old || old.classList.contains(unread ? 'mark' : 'unmark')) return;
  const next = toggleButton(item, li.querySelector('.line')?.textContent ?? '', unread, ctx);
  const focused = (li.getRootNode() as ShadowRoot).activeElement === old;
  old.replaceWith(next);
  // Don't drop keyboard focus on the floor when the focused button goes away.
  if (focused) next.focus();
}
