/**
 * `<tidings-bell>`: the notification bell. Attributes: `src` (WebSocket URL, default same-origin
 * `/inform/`), `http-url` (API base, default the origin of `src`), `token-url` (POST endpoint answering
 * `{"token": "…"}` or the token as text; 401/403 mean "no token"), `page-size` (default 20), `sw-url` (the
 * service worker for desktop notifications, default `/tidings-sw.js`; see settings-view.ts). Property
 * `getToken` (a function) takes precedence over `token-url`. Reflects `count` (unread) and `state`.
 * Properties `strings` (wording and translations, see {@link BellStrings}), `render` (a hook describing an
 * item: text, detail, link) and `hrefs` (per-kind link templates such as `"/posts/{post_id}"`). Words and
 * dates follow the `lang` of the bell or its nearest ancestor.
 *
 * Events (bubbling, composed): `tidings-announce` (detail: Announcement, in one tab only),
 * `tidings-select` (detail: the clicked item), `tidings-state` (detail: state), `tidings-error`
 * (detail: TidingsClientError).
 */
import { createTidingsClient, type TidingsClient, type TidingsState } from '../client/index.js';
import { BellProperties } from './bell-properties.js';
import type { RenderHook } from './describe.js';
import { NotificationListView, type ListItem } from './list-view.js';
import { ReadMarks } from './read-marks.js';
import { keptBroadcasts } from './recent.js';
import { applyStrings, buildShadow, showCount, type BellParts } from './shadow.js';
import { enableActions, isTrouble, showStatus, situationOf, type Situation } from './status.js';
import { PanelToggle } from './panel-toggle.js';
import { tokenFrom } from './token-url.js';
import { SettingsView, apiBase } from './settings-view.js';

export type { RenderHook };

/** The `<tidings-bell>` custom element. */
export class TidingsBellElement extends BellProperties {
  static readonly observedAttributes = ['src', 'http-url', 'token-url', 'page-size'];
  private readonly parts: BellParts;
  private tidings: TidingsClient | undefined;
  private view: NotificationListView | undefined;
  private settings: SettingsView | undefined;
  private restartQueued = false;
  /** The last client error code since the connection was last open (tells a server error from a lost link). */
  private lastError: string | undefined;
  private everOpen = false;
  private situation: Situation = 'connecting';
  /** A message about the user's last action (a failed mark-read), shown until the next action. */
  private notice = '';
  private marks: ReadMarks | undefined;
  /** Shows the broadcasts kept from before a reload (on the All tab). */
  private showKept: () => void = () => {};
  private readonly toggle: PanelToggle;

  constructor() {
    super();
    this.parts = buildShadow(this.attachShadow({ mode: 'open' }));
    this.toggle = new PanelToggle(this, this.parts, () => {
      this.view?.refreshTimes();
      void this.view?.loadMore(true).then(() => this.open && this.focusInside());
      this.focusInside();
    });
    this.parts.markAll.addEventListener('click', () => {
      this.notice = '';
      this.marks?.all();
    });
    this.parts.archiveRead.addEventListener('click', () => this.act((c) => c.archiveRead()));
    this.parts.tabUnread.addEventListener('click', () => this.filter(true));
    this.parts.tabAll.addEventListener('click', () => this.filter(false));
    this.parts.retry.addEventListener('click', () => {
      if (isTrouble(this.situation)) this.tidings?.reconnect();
      else void this.view?.loadMore();
    });
  }

  /** The client behind the bell (undefined while disconnected from the document). */
  get client(): TidingsClient | undefined {
    return this.tidings;
  }

  /** Whether the panel is open. */
  get open(): boolean {
    return this.toggle.open;
  }

  connectedCallback(): void {
    this.adoptEarlyProperties();
    this.toggle.attach();
    this.restart();
  }

  disconnectedCallback(): void {
    this.toggle.detach();
    this.stop();
  }

  attributeChangedCallback(_name: string, before: string | null, after: string | null): void {
    if (before !== after) this.restart();
  }

  /** Opens the panel, loads the first page if needed and moves focus into it. */
  show(): void {
    this.toggle.show();
  }

  /** Closes the panel; `refocus` puts focus back on the button (Escape, toggle). */
  hide(refocus: boolean): void {
    this.toggle.hide(refocus);
  }

  private focusInside(): void {
    const active = this.shadowRoot?.activeElement;
    if (active && active !== this.parts.button && active !== this.parts.panel) return;
    if (!this.view?.focusFirst()) this.parts.panel.focus();
  }

  /** Coalesces attribute and property changes of one task into one reconnect. */
  protected restart(): void {
    if (!this.isConnected || this.restartQueued) return;
    this.restartQueued = true;
    queueMicrotask(() => {
      this.restartQueued = false;
      this.stop();
      if (this.isConnected) this.start();
    });
  }

  private stop(): void {
    this.marks?.clear();
    this.marks = undefined;
    this.tidings?.close();
    this.tidings = undefined;
    this.view?.element.remove();
    this.view = undefined;
    this.settings?.remove();
    this.settings = undefined;
  }

  private start(): void {
    const tokenUrl = this.getAttribute('token-url');
    let client: TidingsClient;
    this.lastError = undefined;
    this.everOpen = false;
    try {
      client = createTidingsClient({
        url: this.getAttribute('src') ?? undefined,
        httpUrl: this.getAttribute('http-url') ?? undefined,
        getToken: this.tokenGetter ?? (tokenUrl ? tokenFrom(tokenUrl) : undefined),
      });
    } catch (err) {
      this.setState('closed');
      this.emit('tidings-error', err);
      return;
    }
    this.tidings = client;
    const getToken = this.tokenGetter ?? (tokenUrl ? tokenFrom(tokenUrl) : undefined);
    this.settings = new SettingsView(this.parts.panel, { http: apiBase(this.getAttribute('http-url'), this.getAttribute('src')), getToken, swUrl: this.getAttribute('sw-url') ?? '/tidings-sw.js' });
    applyStrings(this.parts, this.strings);
    const pageSize = Number(this.getAttribute('page-size')) || 20;
    const view = new NotificationListView(client, pageSize, {
      select: (item) => this.select(item),
      markRead: (item) => this.markOne(item),
      markUnread: (item) => this.act((c) => c.markUnread([item.id])),
      archive: (item) => this.act((c) => c.archive([item.id])),
      changed: () => this.refresh(),
      strings: () => this.strings,
      locale: () => this.pageLang(),
      describe: (item) => this.describe(item),
      enabled: () => client.state === 'open',
      // A refused token would be refused over HTTP too: the status line says why, with nothing to load.
      canLoad: () => client.state !== 'unauthorized',
    });
    this.view = view;
    view.setFilter(this.parts.tabUnread.getAttribute('aria-pressed') === 'true');
    this.marks = new ReadMarks(client, view, (err, what) => this.failed(err, what));
    this.parts.body.replaceChildren(view.element);
    this.wire(client, view);
    this.setCount(0);
    this.setState(client.state);
    if (this.open) void view.loadMore(true);
  }

  private wire(client: TidingsClient, view: NotificationListView): void {
    client.on('unread', (count) => {
      this.marks?.confirm();
      this.setCount(count);
    });
    client.on('state', (state) => this.setState(state));
    client.on('notification', (n) => view.prepend(n));
    this.showKept = keptBroadcasts(client, view, `tidings:broadcasts:${this.getAttribute('src') ?? location.host}`);
    client.on('read', (change) => view.markRead(change));
    client.on('change', (change) => view.applyChange(change));
    client.on('resync', () => {
      view.reset();
      this.showKept();
      if (this.open) void view.loadMore(true);
    });
    client.on('announce', (a) => {
      const item = a.type === 'notification' ? a.notification : a.broadcast;
      this.say(this.describe({ ...item, seq: 0, readAt: null }).text);
      this.emit('tidings-announce', a);
    });
    client.on('error', (err) => {
      // A token request that never reached the app (fetch's TypeError) is a lost network, not a server error.
      this.lastError = err.code === 'TOKEN_FAILED' && err.cause instanceof TypeError ? 'NETWORK_ERROR' : err.code;
      // The server answered a frame with an error (the inbox is down): the marks it did not store come back.
      this.marks?.error(err);
      this.refresh();
      this.emit('tidings-error', err);
    });
  }

  private select(item: ListItem): void {
    this.markOne(item);
    this.emit('tidings-select', item);
  }

  private markOne(item: ListItem): void {
    this.notice = '';
    this.marks?.one(item);
  }

  /** Mark unread, archive, archive all read: the list follows the client's `change` event. */
  private act(run: (client: TidingsClient) => Promise<void>): void {
    this.notice = '';
    this.marks?.act(run);
  }

  /** Shows the "Unread" or the "All" tab. */
  private filter(unreadOnly: boolean): void {
    this.parts.tabUnread.setAttribute('aria-pressed', String(unreadOnly));
    this.parts.tabAll.setAttribute('aria-pressed', String(!unreadOnly));
    if (!this.view || this.view.filtered === unreadOnly) return;
    this.view.setFilter(unreadOnly);
    this.showKept();
    void this.view.loadMore(true);
  }

  /** A mark the server did not store (its rows are unread again), or another action that failed: say so. */
  private failed(err: unknown, what: 'mark' | 'action'): void {
    this.notice = what === 'mark' ? this.strings.markFailed : this.strings.actionFailed;
    this.say(this.notice);
    this.refresh();
    this.emit('tidings-error', err);
  }

  private setCount(count: number): void {
    showCount(this.parts, count, Number(this.getAttribute('count') ?? 0));
    this.setAttribute('count', String(count));
    this.refresh();
  }

  private setState(state: TidingsState): void {
    if (this.getAttribute('state') === state) return;
    this.setAttribute('state', state);
    if (state === 'open') {
      this.everOpen = true;
      this.lastError = undefined;
    }
    // Back online with the panel open and no list yet (the load failed while offline): load it now.
    if (state === 'open' && this.open && this.view && !this.view.loaded) void this.view.loadMore(true);
    this.refresh();
    this.emit('tidings-state', state);
  }

  /** Status line, the bell's accessible name, the live announcement of trouble, and what can be clicked. */
  private refresh(): void {
    const strings = this.strings;
    const state = this.getAttribute('state') as TidingsState | null;
    const view = this.view;
    const situation = situationOf(state, this.lastError, this.everOpen, !!view?.failed);
    if (isTrouble(situation) !== isTrouble(this.situation) && this.everOpen) this.say(isTrouble(situation) ? strings.lost : strings.back);
    this.situation = situation;
    this.setAttribute('situation', situation);
    const count = Number(this.getAttribute('count') ?? 0);
    showStatus(this.parts, situation, strings, { notice: this.notice, count, listLoaded: !!view?.loaded });
    enableActions(this.parts, view, { online: state === 'open', count, focused: this.shadowRoot?.activeElement });
  }

  /** Says `text` through the polite live region. */
  private say(text: string): void {
    this.parts.live.textContent = text;
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tidings-bell': TidingsBellElement;
  }
}
