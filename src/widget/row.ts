/**
 * One row of the bell's list: a link when the item leads somewhere (its description has an `href`), else a
 * button; the unread mark and its "mark as read" button. Text always goes in as Text nodes.
 */
import { relativeTime, type Description } from './describe.js';
import { CHECK, h, icon } from './dom.js';
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
  if (unread) li.append(markButton(item, described.text, ctx));
  return li;
}

function markButton(item: ListItem, text: string, ctx: RowContext): HTMLButtonElement {
  const strings = ctx.strings();
  const mark = h('button', { class: 'mark', type: 'button', title: strings.markRead, 'aria-label': strings.markReadOf(text) }, icon('', ...CHECK));
  mark.disabled = !ctx.enabled();
  mark.addEventListener('click', () => ctx.markRead(item));
  return mark;
}

/** Shows `li` as read or unread (the mark button goes or comes back), keeping keyboard focus on the row. */
export function setRowUnread(li: HTMLLIElement, item: ListItem, unread: boolean, ctx: RowContext): void {
  li.classList.toggle('unread', unread);
  const status = li.querySelector('.status-text');
  if (status) status.textContent = unread ? ctx.strings().unreadPrefix : '';
  const mark = li.querySelector('.mark');
  if (unread && !mark) li.append(markButton(item, li.querySelector('.line')?.textContent ?? '', ctx));
  if (!unread && mark) {
    // Don't drop keyboard focus on the floor when the focused button goes away.
    if ((li.getRootNode() as ShadowRoot).activeElement === mark) li.querySelector<HTMLElement>('.entry')?.focus();
    mark.remove();
  }
}
