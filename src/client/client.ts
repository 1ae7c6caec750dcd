/**
 * {@link createTidingsClient}: the meaning of the frames on top of the self-reconnecting
 * {@link createConnection}: deduplication, the resume cursor, the exact unread count, multi-tab
 * announcements and the HTTP fallbacks.
 */
import { reportVisibility, type VisibilityDocument } from './visibility.js';
import type { BroadcastFrame, ClientFrame, HelloFrame, NotificationFrame, ServerFrame } from '../protocol/frames.js';
import { createConnection } from './connection.js';
import { TidingsClientError } from './errors.js';
import { createInboxHttp } from './http.js';
import { parseServerFrame } from './parse.js';
import { createTabHub, type TabHub, type TabMessage } from './tabs.js';
import type {
  Announcement,
  BroadcastChannelConstructor,
  FetchLike,
  InboxChange,
  ReadChange,
  TidingsClient,
  TidingsClientOptions,
  TidingsEvents,
  TidingsState,
  WebSocketConstructor,
} from './types.js';
import { createEmitter, trimOldest } from './util.js';
import { MAX_IDS_PER_REQUEST as MAX_READ_IDS } from '../protocol/limits.js';

/** Ids remembered for deduplication (per client). */
const MAX_SEEN = 1000;

interface BrowserGlobals {
  WebSocket?: WebSocketConstructor;
  BroadcastChannel?: BroadcastChannelConstructor;
  fetch?: FetchLike;
  location?: { href: string };
  document?: { visibilityState?: string; hasFocus?(): boolean } & VisibilityDocument;
}
const browser = globalThis as unknown as BrowserGlobals;

function invalid(message: string): TidingsClientError {
  return new TidingsClientError('INVALID_OPTIONS', message);
}

/** The socket URL (ws: or wss:) and the HTTP base (no trailing slash). */
function resolveUrls(options: TidingsClientOptions): { ws: URL; http: string } {
  let ws: URL;
  try {
    ws = new URL(options.url ?? '/inform/', browser.location?.href);
  } catch {
    throw invalid(`url is not a valid URL: ${String(options.url)}`);
  }
  ws.protocol = ws.protocol.replace(/^http/, 'ws');
  const http = new URL(options.httpUrl ?? ws.href.replace(/^ws/, 'http'));
  return { ws, http: (options.httpUrl ? http.href : http.origin).replace(/\/$/, '') };
}

/** A focused tab announces first, then a visible one. */
function tabRank(): number {
  const doc = browser.document;
  return (doc?.visibilityState === 'visible' ? 1 : 0) + (doc?.hasFocus?.() ? 2 : 0);
}

function checkOptions(o: TidingsClientOptions): void {
  const { baseMs = 1000, maxMs = 30_000 } = o.backoff ?? {};
  if (!(baseMs > 0) || !(maxMs >= baseMs)) throw invalid('backoff needs 0 < baseMs <= maxMs');
  if (o.since !== undefined && !(Number.isInteger(o.since) && o.since >= 0)) throw invalid('since must be an integer >= 0');
  if (!(o.WebSocket ?? browser.WebSocket)) throw invalid('no WebSocket implementation: pass options.WebSocket');
}

/**
 * Connects to a Tidings `/inform/` endpoint at once and keeps the connection up until `close()`.
 *
 * Guarantees: each notification is emitted at most once per client (deduplicated by id and seq) and in seq
 * order; after a reconnect the client resumes from the highest seq it saw (`?since=`), so nothing published
 * meanwhile is missed while the server keeps it; `unreadCount` is the server's count (the `hello`, `unread`
 * and live `notification` frames); `announce` fires for each item in one tab of the user only.
 * @throws TidingsClientError `INVALID_OPTIONS` for bad options or when no WebSocket is available.
 */
export function createTidingsClient(options: TidingsClientOptions = {}): TidingsClient {
  checkOptions(options);
  const urls = resolveUrls(options);
  const events = createEmitter<TidingsEvents>();
  const seen = new Set<string>();
  let state: TidingsState = 'connecting';
  let unread = 0;
  let user: string | null | undefined;
  let lastSeq = options.since;
  let helloSeq = 0;
  let tabs: TabHub | undefined;

  const setUnread = (count: number): void => {
    if (count === unread) return;
    unread = count;
    events.emit('unread', count);
  };
  /** First sighting of a key? (bounded memory) */
  const fresh = (key: string): boolean => {
    if (seen.has(key)) return false;
    seen.add(key);
    trimOldest(seen, MAX_SEEN);
    return true;
  };
  const announce = (key: string, item: Announcement): void => {
    const fire = (): void => events.emit('announce', item);
    if (tabs) tabs.claim(key, fire);
    else fire();
  };

  function onTabMessage(m: TabMessage): void {
    // A tab with an open socket hears the server itself; relayed counts could only be staler.
    if (m.t === 'u' && state !== 'open') setUnread(m.count);
    if (m.t === 'r') events.emit('read', m.change);
    if (m.t === 'x') events.emit('change', m.change);
  }

  function onHello(f: HelloFrame): void {
    if (user !== undefined && f.user !== user) {
      seen.clear();
      lastSeq = undefined;
      events.emit('resync', { reason: 'user-changed' });
    }
    if (f.user !== user || !tabs) {
      tabs?.close();
      tabs = createTabHub({
        name: `tidings:${urls.ws.host}:${f.user ?? ''}`,
        BroadcastChannel: options.BroadcastChannel === undefined ? (browser.BroadcastChannel ?? null) : options.BroadcastChannel,
        delayMs: options.announceDelayMs ?? 50,
        rank: tabRank,
        onMessage: onTabMessage,
      });
    }
    user = f.user;
    helloSeq = f.seq;
    if (lastSeq === undefined) lastSeq = f.seq;
    else if (f.seq < lastSeq) {
      // The server's history went back (a reset database): start over from its present.
      lastSeq = f.seq;
      events.emit('resync', { reason: 'history-reset' });
    }
    setUnread(f.unread);
    connection.opened(typeof f.ping === 'number' ? f.ping : 0);
    visibility.opened();
  }

  function onNotification(f: NotificationFrame): void {
    // A replayed frame (seq <= hello's) carries the count of its own time; hello's count is newer.
    if (f.seq > helloSeq) setUnread(f.unread);
    if ((lastSeq !== undefined && f.seq <= lastSeq) || !fresh(f.id)) return;
    lastSeq = f.seq;
    const notification = { id: f.id, seq: f.seq, kind: f.kind, data: f.data, createdAt: f.createdAt, readAt: null, replayed: f.seq <= helloSeq };
    events.emit('notification', notification);
    announce(f.id, { type: 'notification', notification });
  }

  function onBroadcast(f: BroadcastFrame): void {
    if (!fresh(`b:${f.id}`)) return;
    const broadcast = { id: f.id, kind: f.kind, data: f.data, createdAt: f.createdAt };
    events.emit('broadcast', broadcast);
    announce(`b:${f.id}`, { type: 'broadcast', broadcast });
  }

  function onFrame(f: ServerFrame): void {
    if (f.type === 'hello') onHello(f);
    else if (state !== 'open') return; // nothing before hello counts
    else if (f.type === 'notification') onNotification(f);
    else if (f.type === 'broadcast') onBroadcast(f);
    else if (f.type === 'unread') setUnread(f.count);
    else if (f.type === 'error') events.emit('error', new TidingsClientError(f.code, f.message, { details: f.details }));
    else if (f.type === 'resumed' && !f.recovered) {
      lastSeq = f.seq;
      events.emit('resync', { reason: 'not-recovered' });
    }
  }

  const connection = createConnection({
    url: urls.ws,
    getToken: options.getToken,
    WebSocket: (options.WebSocket ?? browser.WebSocket) as WebSocketConstructor,
    baseMs: options.backoff?.baseMs ?? 1000,
    maxMs: options.backoff?.maxMs ?? 30_000,
    stableAfterMs: options.stableAfterMs ?? 10_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    refreshBeforeMs: options.refreshBeforeMs ?? 30_000,
    random: options.random ?? Math.random,
    tokenIn: options.tokenIn ?? 'protocol',
    cursor: () => lastSeq,
    onData(data) {
      const result = parseServerFrame(data);
      if (result && 'error' in result) events.emit('error', new TidingsClientError('INVALID_SERVER_FRAME', result.error));
      else if (result) onFrame(result.frame);
    },
    onState(next) {
      state = next;
      if (next === 'closed') tabs?.close();
      events.emit('state', next);
    },
    onError: (error) => events.emit('error', error),
  });

  const visibility = reportVisibility(options.document === undefined ? browser.document : (options.document ?? undefined), (frame) => connection.send(frame), () => state === 'open');

  const http = createInboxHttp({
    base: urls.http,
    fetch: options.fetch ?? ((url, init) => (browser.fetch as FetchLike)(url, init)),
    getToken: options.getToken,
    currentToken: () => connection.token,
  });

  /** After a read over HTTP: take the count if the socket can't tell us, and tell the other tabs. */
  async function readOverHttp(change: ReadChange): Promise<void> {
    const count = await http.read('all' in change ? { all: true } : { ids: change.ids });
    if (state !== 'open') setUnread(count);
    tabs?.post({ t: 'u', count });
  }

  async function markRead(change: ReadChange): Promise<void> {
    const frames: ClientFrame[] = [];
    if ('all' in change) frames.push({ type: 'read_all' });
    else for (let i = 0; i < change.ids.length; i += MAX_READ_IDS) frames.push({ type: 'read', ids: change.ids.slice(i, i + MAX_READ_IDS) });
    // Reads are idempotent, so a socket that fails half-way is simply followed by HTTP.
    if (!frames.every((frame) => connection.send(frame))) await readOverHttp(change);
    events.emit('read', change);
    tabs?.post({ t: 'r', change });
  }

  /** Unread again or archive: the socket frame when open, else HTTP; then this tab and the others hear it. */
  async function change(c: InboxChange): Promise<void> {
    const frame: ClientFrame = 'unread' in c ? { type: 'mark_unread', ids: c.unread } : 'archive' in c ? { type: 'archive', ids: c.archive } : { type: 'archive_read' };
    if (!connection.send(frame)) {
      const [action, body] = 'unread' in c ? (['unread', { ids: c.unread }] as const) : 'archive' in c ? (['archive', { ids: c.archive }] as const) : (['archive', { read: true }] as const);
      const count = await http.change(action, body);
      if (state !== 'open') setUnread(count);
      tabs?.post({ t: 'u', count });
    }
    events.emit('change', c);
    tabs?.post({ t: 'x', change: c });
  }
  const idsOf = (ids: readonly string[]): string[] => [...new Set(ids)].filter((id) => typeof id === 'string' && id !== '').slice(0, MAX_READ_IDS);

  return {
    get state() {
      return state;
    },
    get unreadCount() {
      return unread;
    },
    get user() {
      return user;
    },
    get seq() {
      return lastSeq;
    },
    on: events.on,
    async list(query = {}) {
      const page = await http.list(query);
      if (state !== 'open') setUnread(page.unread);
      return page;
    },
    markRead(ids) {
      const unique = [...new Set(ids)].filter((id) => typeof id === 'string' && id !== '');
      return unique.length ? markRead({ ids: unique }) : Promise.resolve();
    },
    markAllRead: () => markRead({ all: true }),
    markUnread: (ids) => (idsOf(ids).length ? change({ unread: idsOf(ids) }) : Promise.resolve()),
    archive: (ids) => (idsOf(ids).length ? change({ archive: idsOf(ids) }) : Promise.resolve()),
    archiveRead: () => change({ archiveRead: true }),
    reconnect: () => connection.reconnect(),
    close: () => {
      visibility.close();
      connection.close();
    },
  };
}
