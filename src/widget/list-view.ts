/**
 * The notification list inside the bell's panel: pages loaded with `client.list({ before })` as the user
 * scrolls (infinite scroll through an IntersectionObserver on a sentinel), live items prepended, read
 * state kept in step with `read` events. Every payload string goes into the DOM as text.
 */
import type { InboxChange, ReadChange, TidingsClient } from '../client/index.js';
import { relativeTime } from './describe.js';
import { BELL, h, icon } from './dom.js';
import { renderRow, setRowUnread, type ListItem, type RowContext } from './row.js';

export type { ListItem } from './row.js';

/** Most rows kept in the DOM; older ones are dropped (and can be paged in again after a reopen). */
const MAX_ROWS = 500;

interface Row {
  item: ListItem;
  li: HTMLLIElement;
}

/** Callbacks of {@link NotificationListView}. */
export interface ListCallbacks extends RowContext {
  /** Loading state or emptiness changed: the panel updates its status line. */
  changed(): void;
  /** False while loading is pointless (no credentials): no page is requested. Default: always true. */
  canLoad?(): boolean;
}

/** The list and its scroll container. */
export class NotificationListView {
  /** The scroll container to put in the panel. */
  readonly element: HTMLDivElement;
  /** The last page load failed (the panel offers a retry). */
  failed = false;
  private readonly list = h('ul', { role: 'list', 'aria-labelledby': 'tidings-title' });
  private readonly footer = h('div', { class: 'more', 'aria-hidden': 'true' });
  private readonly emptyText = h('span', {});
  private readonly empty = h('div', { class: 'empty', hidden: '' }, icon('', ...BELL), this.emptyText);
  private readonly rows = new Map<string, Row>();
  /** undefined: nothing loaded yet; null: the end was reached. */
  private nextBefore: number | null | undefined;
  private loading = false;
  private generation = 0;
  /** Live items that arrived while the first page was loading: added once it is in. */
  private early: ListItem[] = [];
  /** The "Unread" tab: only unread notifications are paged in. */
  private unreadOnly = false;
  private observer: IntersectionObserver | undefined;

  constructor(
    private readonly client: TidingsClient,
    private readonly pageSize: number,
    private readonly callbacks: ListCallbacks,
  ) {
    this.element = h('div', { class: 'scroller' }, this.empty, this.list, this.footer);
    if (typeof IntersectionObserver === 'function') {
      this.observer = new IntersectionObserver((entries) => {
        if (entries.some((entry) => entry.isIntersecting)) void this.loadMore();
      }, { root: this.element, rootMargin: '120px' });
      this.observer.observe(this.footer);
    }
    this.element.addEventListener('keydown', (event) => this.onKey(event));
  }

  /** Whether the first page was loaded. */
  get loaded(): boolean {
    return this.nextBefore !== undefined;
  }
  get loadingNow(): boolean {
    return this.loading;
  }
  get size(): number {
    return this.rows.size;
  }
  get hasUnread(): boolean {
    return [...this.rows.values()].some((row) => !row.item.readAt && !row.item.broadcast);
  }

  /** Loads the next (older) page, unless loading, at the end, or already loaded and `onlyFirst`. */
  async loadMore(onlyFirst = false): Promise<void> {
    if (this.loading || this.nextBefore === null || (onlyFirst && this.loaded) || this.rows.size >= MAX_ROWS) return;
    if (this.callbacks.canLoad?.() === false) return;
    const generation = this.generation;
    this.loading = true;
    this.failed = false;
    this.updateFooter();
    try {
      const page = await this.client.list({ limit: this.pageSize, unreadOnly: this.unreadOnly, ...(this.nextBefore !== undefined && { before: this.nextBefore }) });
      if (generation !== this.generation) return;
      for (const item of page.items) this.add(item, 'end');
      this.nextBefore = page.nextBefore;
      for (const item of this.early.splice(0)) this.add(item, 'start');
    } catch {
      if (generation === this.generation) this.failed = true;
    } finally {
      if (generation === this.generation) this.loading = false;
      this.updateFooter();
      this.callbacks.changed();
    }
    // The observer reports changes only: if the end of the list is still in view, it would stay silent.
    // Observing again makes it report the current state, so a short page is followed by the next one.
    if (this.observer && !this.failed && generation === this.generation) {
      this.observer.unobserve(this.footer);
      this.observer.observe(this.footer);
    }
  }

  /** Forgets everything (after a resync); the next open loads again. */
  reset(): void {
    this.generation++;
    this.loading = false;
    this.nextBefore = undefined;
    this.early = [];
    this.rows.clear();
    this.list.replaceChildren();
    this.updateFooter();
    this.callbacks.changed();
  }

  /** A live item: shown at the top once the list is loaded (otherwise the first load brings it). */
  prepend(item: ListItem): void {
    if (!this.loaded && !item.broadcast) {
      if (this.loading) this.early.push(item);
      return;
    }
    this.add(item, 'start');
    if (this.rows.size > MAX_ROWS) this.dropOldest();
    this.updateFooter();
    this.callbacks.changed();
  }

  /** Marks rows read after a `read` event (or at once, when the user asks). */
  markRead(change: ReadChange): void {
    const now = new Date().toISOString();
    for (const row of this.rows.values()) {
      if ('all' in change || change.ids.includes(row.item.id)) this.setRead(row, now);
    }
    this.callbacks.changed();
  }

  /** Shows rows unread again (a mark-read that failed is undone). */
  markUnread(ids: readonly string[]): void {
    for (const id of ids) {
      const row = this.rows.get(id);
      if (!row || row.item.broadcast || !row.item.readAt) continue;
      row.item = { ...row.item, readAt: null };
      setRowUnread(row.li, row.item, true, this.callbacks);
    }
    this.callbacks.changed();
  }

  /** Switches between the "Unread" and "All" tabs: forgets the rows; the caller loads the first page. */
  setFilter(unreadOnly: boolean): void {
    if (unreadOnly === this.unreadOnly) return;
    this.unreadOnly = unreadOnly;
    this.reset();
  }

  /** Whether the "Unread" tab is shown. */
  get filtered(): boolean {
    return this.unreadOnly;
  }

  /** Applies an unread-again or archive change (here or from another tab). */
  applyChange(change: InboxChange): void {
    if ('unread' in change) return this.markUnread(change.unread);
    for (const [id, row] of [...this.rows]) {
      const gone = 'archive' in change ? change.archive.includes(id) : !row.item.broadcast && row.item.readAt !== null;
      if (!gone) continue;
      const focused = (this.element.getRootNode() as ShadowRoot).activeElement;
      const next = (row.li.nextElementSibling ?? row.li.previousElementSibling)?.querySelector<HTMLElement>('.entry');
      if (focused && row.li.contains(focused)) next?.focus();
      row.li.remove();
      this.rows.delete(id);
    }
    this.updateFooter();
    this.callbacks.changed();
  }

  /** Whether any row is read (something for "Archive all read"). */
  get hasRead(): boolean {
    return [...this.rows.values()].some((row) => !row.item.broadcast && row.item.readAt !== null);
  }

  /** Ids of the rows shown unread. */
  unreadIds(): string[] {
    return [...this.rows.values()].filter((row) => !row.item.readAt && !row.item.broadcast).map((row) => row.item.id);
  }

  /** Enables or disables the rows' actions (offline: nothing can be marked). */
  setEnabled(enabled: boolean): void {
    for (const act of this.list.querySelectorAll<HTMLButtonElement>('.act')) act.disabled = !enabled;
  }

  /** Re-renders the relative times ("2 min. ago") — on every open. */
  refreshTimes(): void {
    for (const row of this.rows.values()) {
      const time = row.li.querySelector('time');
      if (time) time.textContent = relativeTime(row.item.createdAt, Date.now(), this.callbacks.locale(), this.callbacks.strings().justNow);
    }
  }

  /** Focus the first row's button (on open, for keyboard users). */
  focusFirst(): boolean {
    const first = this.list.querySelector<HTMLElement>('.entry');
    first?.focus();
    return !!first;
  }

  private add(item: ListItem, where: 'start' | 'end'): void {
    if (this.rows.has(item.id)) return;
    const row = { item, li: this.render(item) };
    this.rows.set(item.id, row);
    if (where === 'start') this.list.prepend(row.li);
    else this.list.append(row.li);
  }

  /** Keeps the DOM bounded: the oldest row goes, and paging can bring it back. */
  private dropOldest(): void {
    const id = (this.list.lastElementChild as HTMLLIElement | null)?.dataset.id;
    const row = id === undefined ? undefined : this.rows.get(id);
    if (!row || id === undefined) return;
    row.li.remove();
    this.rows.delete(id);
    if (!row.item.broadcast) this.nextBefore = row.item.seq + 1;
  }

  private render(item: ListItem): HTMLLIElement {
    return renderRow(item, this.callbacks);
  }

  private setRead(row: Row, at: string): void {
    if (row.item.readAt || row.item.broadcast) return;
    row.item = { ...row.item, readAt: at };
    setRowUnread(row.li, row.item, false, this.callbacks);
  }

  private updateFooter(): void {
    const end = this.nextBefore === null && this.rows.size > 0;
    const strings = this.callbacks.strings();
    const text = this.loading ? strings.loading : end ? strings.end : '';
    this.emptyText.textContent = this.unreadOnly ? strings.emptyUnread : strings.empty;
    this.footer.textContent = text;
    this.empty.hidden = !(this.loaded && !this.loading && this.rows.size === 0);
  }

  /** Up/Down/Home/End move between rows. */
  private onKey(event: KeyboardEvent): void {
    const entries = [...this.list.querySelectorAll<HTMLElement>('.entry')];
    const root = this.element.getRootNode() as ShadowRoot;
    const current = entries.indexOf(root.activeElement as HTMLElement);
    const target = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: entries.length - 1 }[event.key];
    if (target === undefined || entries.length === 0) return;
    event.preventDefault();
    entries[Math.max(0, Math.min(entries.length - 1, target))]?.focus();
  }
}
