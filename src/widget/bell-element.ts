/**
 * `<tidings-bell>`: the notification bell. Attributes: `src` (WebSocket URL, default same-origin
 * `/inform/`), `http-url` (API base, default the origin of `src`), `token-url` (POST endpoint answering
 * `{"token": "…"}` or the token as text; 401/403 mean "no token"), `page-size` (default 20), `sw-url` (the
 * service worker for desktop notifications, default `/tidings-sw.js`; see settings-view.ts). Property
 * `getToken` (a function) takes precedence over `token-url`. Reflects `count` (unread) and `state`.
 *
 * Events (bubbling, composed): `tidings-announce` (detail: Announcement, in one tab only),
 * `tidings-select` (detail: the clicked item), `tidings-state` (detail: state), `tidings-error`
 * (detail: TidingsClientError).
 */
import { createTidingsClient, type GetToken, type TidingsClient, type TidingsState } from '../client/index.js';
import { describeNotification } from './describe.js';
import { NotificationListView, type ListItem } from './list-view.js';
import { buildShadow, type BellParts } from './shadow.js';
import { SettingsView, apiBase } from './settings-view.js';

const STATUS_TEXT: Partial<Record<TidingsState, string>> = {
  connecting: 'Connecting…',
  offline: "You're offline. Reconnecting…",
  unauthorized: 'Sign in to see your notifications.',
  closed: 'Notifications are unavailable right now.',
};

/** A token getter for the `token-url` attribute. */
function tokenFrom(url: string): GetToken {
  return async () => {
    const response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } });
    if (response.status === 401 || response.status === 403) return null;
    if (!response.ok) throw new Error(`token-url answered ${response.status}`);
    if ((response.headers.get('content-type') ?? '').includes('json')) {
      const body = (await response.json()) as { token?: unknown } | null;
      return typeof body?.token === 'string' ? body.token : null;
    }
    return (await response.text()).trim() || null;
  };
}

/** The `<tidings-bell>` custom element. */
export class TidingsBellElement extends HTMLElement {
  static readonly observedAttributes = ['src', 'http-url', 'token-url', 'page-size'];
  private readonly parts: BellParts;
  private tokenGetter: GetToken | undefined;
  private tidings: TidingsClient | undefined;
  private view: NotificationListView | undefined;
  private settings: SettingsView | undefined;
  private restartQueued = false;
  private readonly onOutside = (event: Event): void => {
    if (this.open && !event.composedPath().includes(this)) this.hide(false);
  };
  /** Escape closes the panel even when focus fell back to the page (a removed or disabled button). */
  private readonly onDocumentKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || !this.open) return;
    const active = document.activeElement;
    if (active === this || active === document.body || active === null) this.hide(true);
  };

  constructor() {
    super();
    this.parts = buildShadow(this.attachShadow({ mode: 'open' }));
    const { button, markAll, panel } = this.parts;
    button.addEventListener('click', () => (this.open ? this.hide(true) : this.show()));
    markAll.addEventListener('click', () => void this.tidings?.markAllRead().catch((err: unknown) => this.failed(err)));
    panel.addEventListener('keydown', (event) => this.onKey(event));
    button.addEventListener('keydown', (event) => this.onKey(event));
    this.shadowRoot?.addEventListener('focusout', (event) => {
      const next = (event as FocusEvent).relatedTarget as Node | null;
      if (this.open && next && next !== this && !this.shadowRoot?.contains(next)) this.hide(false);
    });
  }

  /** The client behind the bell (undefined while disconnected from the document). */
  get client(): TidingsClient | undefined {
    return this.tidings;
  }

  /** Token supplier; setting it reconnects with the new supplier. */
  get getToken(): GetToken | undefined {
    return this.tokenGetter;
  }
  set getToken(fn: GetToken | undefined) {
    this.tokenGetter = fn;
    this.restart();
  }

  /** Whether the panel is open. */
  get open(): boolean {
    return !this.parts.panel.hidden;
  }

  connectedCallback(): void {
    // A getToken set before the element was defined sits on the instance: route it through the setter.
    const own = this as unknown as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(own, 'getToken')) {
      const value = own.getToken as GetToken | undefined;
      delete own.getToken;
      this.tokenGetter = value;
    }
    document.addEventListener('pointerdown', this.onOutside, true);
    document.addEventListener('keydown', this.onDocumentKey);
    this.restart();
  }

  disconnectedCallback(): void {
    document.removeEventListener('pointerdown', this.onOutside, true);
    document.removeEventListener('keydown', this.onDocumentKey);
    this.stop();
  }

  attributeChangedCallback(_name: string, before: string | null, after: string | null): void {
    if (before !== after) this.restart();
  }

  /** Opens the panel, loads the first page if needed and moves focus into it. */
  show(): void {
    const { panel, button } = this.parts;
    if (this.open) return;
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    this.view?.refreshTimes();
    void this.view?.loadMore(true).then(() => this.open && this.focusInside());
    this.focusInside();
  }

  /** Closes the panel; `refocus` puts focus back on the button (Escape, toggle). */
  hide(refocus: boolean): void {
    const { panel, button } = this.parts;
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  }

  private focusInside(): void {
    const active = this.shadowRoot?.activeElement;
    if (active && active !== this.parts.button && active !== this.parts.panel) return;
    if (!this.view?.focusFirst()) this.parts.panel.focus();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.open) {
      event.stopPropagation();
      this.hide(true);
    }
  }

  /** Coalesces attribute and property changes of one task into one reconnect. */
  private restart(): void {
    if (!this.isConnected || this.restartQueued) return;
    this.restartQueued = true;
    queueMicrotask(() => {
      this.restartQueued = false;
      this.stop();
      if (this.isConnected) this.start();
    });
  }

  private stop(): void {
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
    const pageSize = Number(this.getAttribute('page-size')) || 20;
    const view = new NotificationListView(client, pageSize, {
      select: (item) => this.select(item),
      changed: () => this.refresh(),
      // A refused token would be refused over HTTP too: the status line says why, with nothing to load.
      canLoad: () => client.state !== 'unauthorized',
    });
    this.view = view;
    this.parts.body.replaceChildren(view.element);
    this.wire(client, view);
    this.setCount(0);
    this.setState(client.state);
    if (this.open) void view.loadMore(true);
  }

  private wire(client: TidingsClient, view: NotificationListView): void {
    client.on('unread', (count) => this.setCount(count));
    client.on('state', (state) => this.setState(state));
    client.on('notification', (n) => view.prepend(n));
    client.on('broadcast', (b) => view.prepend({ ...b, id: `b:${b.id}`, seq: 0, readAt: null, broadcast: true }));
    client.on('read', (change) => view.markRead(change));
    client.on('resync', () => {
      view.reset();
      if (this.open) void view.loadMore(true);
    });
    client.on('announce', (a) => {
      const item = a.type === 'notification' ? a.notification : a.broadcast;
      this.parts.live.textContent = describeNotification(item.kind, item.data).text;
      this.emit('tidings-announce', a);
    });
    client.on('error', (err) => this.emit('tidings-error', err));
  }

  private select(item: ListItem): void {
    if (!item.readAt && !item.broadcast) void this.tidings?.markRead([item.id]).catch((err: unknown) => this.failed(err));
    this.emit('tidings-select', item);
  }

  private setCount(count: number): void {
    const { badge, button } = this.parts;
    const before = Number(this.getAttribute('count') ?? 0);
    this.setAttribute('count', String(count));
    badge.hidden = count === 0;
    badge.textContent = count > 99 ? '99+' : String(count);
    badge.setAttribute('aria-label', `${count} unread notification${count === 1 ? '' : 's'}`);
    if (count > before) {
      button.classList.remove('ring');
      void button.offsetWidth; // restart the animation
      button.classList.add('ring');
    }
    this.refresh();
  }

  private setState(state: TidingsState): void {
    if (this.getAttribute('state') === state) return;
    this.setAttribute('state', state);
    // Back online with the panel open and no list yet (the load failed while offline): load it now.
    if (state === 'open' && this.open && this.view && !this.view.loaded) void this.view.loadMore(true);
    this.refresh();
    this.emit('tidings-state', state);
  }

  /** Status line, and whether "mark all" can do anything. */
  private refresh(): void {
    const { status, markAll } = this.parts;
    const state = this.getAttribute('state') as TidingsState | null;
    const failed = this.view?.failed;
    const text = state && STATUS_TEXT[state] && !(state === 'connecting' && this.view?.loaded) ? STATUS_TEXT[state] : failed ? "Couldn't load notifications." : '';
    status.textContent = text ?? '';
    status.hidden = !text;
    status.classList.toggle('warn', state === 'offline' || !!failed);
    if (failed && state === 'open') status.append(this.retryButton());
    const disable = this.getAttribute('count') === '0' && !this.view?.hasUnread;
    if (disable && this.shadowRoot?.activeElement === markAll) this.parts.panel.focus();
    markAll.disabled = disable;
  }

  private retryButton(): HTMLButtonElement {
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'retry';
    retry.textContent = 'Retry';
    retry.addEventListener('click', () => void this.view?.loadMore());
    return retry;
  }

  private failed(err: unknown): void {
    this.emit('tidings-error', err);
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
