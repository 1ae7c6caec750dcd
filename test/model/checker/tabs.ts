/**
 * The checker's tabs: real WebSocket clients of `/inform/`, of two kinds.
 * - `raw`: a socket that applies docs/protocol.md exactly (and holds the server to it: after `resumed{seq}`
 *   every notification must be above `seq`): its cursor is the highest seq it received; on a
 *   close with a reconnect code (4000-4499) it reconnects at once with `since` = its cursor; on
 *   `resumed{recovered:false}` it reloads the list.
 * - `client`: the browser client (src/client) over `ws`, whose cursor, resume and dedupe logic is then
 *   checked too; on `resync` it reloads the list.
 * Both record what a user would have seen: notification seqs in arrival order, broadcast ids, the unread
 * count, the seqs a list reload covered, and the close codes.
 */
import WebSocket from 'ws';
import { createTidingsClient, type TidingsClient } from '../../../src/client/index.js';
import { recordingWebSocket } from '../../support/clients.js';
import { tokenFor } from '../../support/tidings.js';

/** Reads the user's stored seqs now (a list reload). */
export type Reload = (user: string) => Promise<number[]>;

export interface Tab {
  readonly id: number;
  readonly user: string;
  readonly kind: 'raw' | 'client';
  /** Seqs emitted, in order, in the current session. */
  got: number[];
  /** Ids emitted in the current session (for read steps). */
  ids: Map<number, string>;
  /** Seqs covered by list reloads. */
  reloaded: Set<number>;
  broadcasts: string[];
  /** Every seq above this must be emitted or reloaded in the current session. */
  since: number;
  closeCodes: number[];
  /** Problems seen while frames arrived (a malformed frame, an error frame). */
  problems: string[];
  /** Closed by the checker (or for good by the server). */
  closed: boolean;
  /** Whether the tab holds an open socket that said hello. */
  isOpen(): boolean;
  unread(): number | undefined;
  /** Resolves at the first hello of the current session. */
  ready(timeoutMs: number): Promise<void>;
  read(ids: string[] | 'all'): void;
  reconnect(withSince: boolean): Promise<void>;
  close(): void;
}

function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      if (check()) return resolve();
      if (Date.now() - started > timeoutMs) return reject(new Error(`${what}: not within ${timeoutMs} ms`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

interface Frame {
  type: string;
  [k: string]: unknown;
}

/** A raw protocol tab; see the module comment. */
export function openRawTab(id: number, user: string, wsUrl: string, since: number | undefined, reload: Reload): Tab {
  let ws: WebSocket | undefined;
  let hello = false;
  let unread: number | undefined;
  /** The seq of this connection's last `resumed`: every later notification must be above it. */
  let resumedSeq = -1;
  const tab: Tab = {
    id,
    user,
    kind: 'raw',
    got: [],
    ids: new Map(),
    reloaded: new Set(),
    broadcasts: [],
    since: since ?? -1,
    closeCodes: [],
    problems: [],
    closed: false,
    isOpen: () => hello && ws?.readyState === WebSocket.OPEN,
    unread: () => unread,
    ready: (timeoutMs) => waitUntil(() => hello || tab.closed, timeoutMs, `tab ${id} hello`),
    read(ids) {
      if (tab.isOpen()) ws!.send(JSON.stringify(ids === 'all' ? { type: 'read_all' } : { type: 'read', ids }));
    },
    async reconnect(withSince) {
      ws?.removeAllListeners('close');
      ws?.terminate();
      if (!withSince) fresh();
      connect(withSince ? cursor() : undefined);
      await tab.ready(10_000);
    },
    close() {
      tab.closed = true;
      ws?.removeAllListeners('close');
      ws?.close();
    },
  };
  const cursor = () => Math.max(0, tab.since, ...tab.got.slice(-1), ...tab.reloaded);
  const fresh = () => {
    tab.got = [];
    tab.ids = new Map();
    tab.reloaded = new Set();
    tab.since = -1;
  };
  const onFrame = (f: Frame) => {
    if (f.type === 'hello') {
      hello = true;
      unread = f.unread as number;
      if (tab.since < 0) tab.since = f.seq as number;
    } else if (f.type === 'notification') {
      if ((f.seq as number) <= resumedSeq) tab.problems.push(`notification seq ${f.seq} after resumed{seq:${resumedSeq}} (a client takes it for a duplicate and drops it)`);
      tab.got.push(f.seq as number);
      tab.ids.set(f.seq as number, f.id as string);
      unread = f.unread as number;
    } else if (f.type === 'unread') unread = f.count as number;
    else if (f.type === 'broadcast') tab.broadcasts.push(f.id as string);
    else if (f.type === 'resumed') resumed(f);
    else if (f.type === 'error') tab.problems.push(`error frame ${JSON.stringify(f)}`);
  };
  const resumed = (f: Frame) => {
    resumedSeq = f.seq as number;
    if (f.recovered === false) void reload(user).then((seqs) => seqs.forEach((s) => tab.reloaded.add(s)));
  };
  const connect = (since: number | undefined) => {
    hello = false;
    resumedSeq = -1;
    const url = tokenFor(user).then((token) => `${wsUrl}?token=${token}${since === undefined ? '' : `&since=${since}`}`);
    void url.then((u) => {
      if (tab.closed) return;
      const socket = new WebSocket(u);
      ws = socket;
      socket.on('message', (data) => onFrame(JSON.parse(data.toString()) as Frame));
      socket.on('error', () => undefined);
      socket.on('close', (code) => {
        tab.closeCodes.push(code);
        if (tab.closed || ws !== socket) return;
        if (code >= 4000 && code < 4500) connect(cursor());
        else tab.closed = true;
      });
    });
  };
  connect(since);
  return tab;
}

/** A tab run by the browser client (src/client); see the module comment. */
export function openClientTab(id: number, user: string, wsUrl: string, since: number | undefined, reload: Reload): Tab {
  const closeCodes: number[] = [];
  let client: TidingsClient;
  let helloSeen = false;
  const tab: Tab = {
    id,
    user,
    kind: 'client',
    got: [],
    ids: new Map(),
    reloaded: new Set(),
    broadcasts: [],
    since: since ?? -1,
    closeCodes,
    problems: [],
    closed: false,
    isOpen: () => client.state === 'open',
    unread: () => (helloSeen ? client.unreadCount : undefined),
    ready: (timeoutMs) => waitUntil(() => helloSeen || tab.closed, timeoutMs, `tab ${id} hello`),
    read(ids) {
      void (ids === 'all' ? client.markAllRead() : client.markRead(ids)).catch((err: Error) => tab.problems.push(`markRead: ${err.message}`));
    },
    async reconnect() {
      // The client always resumes from its own cursor: that is what is checked.
      client.reconnect();
      await waitUntil(() => client.state !== 'open', 5_000, `tab ${id} reconnecting`).catch(() => undefined);
      await waitUntil(() => client.state === 'open', 10_000, `tab ${id} open again`);
    },
    close() {
      tab.closed = true;
      client.close();
    },
  };
  client = createTidingsClient({
    url: wsUrl,
    getToken: () => tokenFor(user),
    WebSocket: recordingWebSocket(closeCodes),
    BroadcastChannel: null,
    backoff: { baseMs: 50, maxMs: 500 },
    ...(since === undefined ? {} : { since }),
  });
  client.on('state', (s) => {
    if (s === 'open' && !helloSeen) {
      helloSeen = true;
      if (tab.since < 0) tab.since = client.seq ?? 0;
    }
    if (s === 'closed' || s === 'unauthorized') tab.closed = true;
  });
  client.on('notification', (n) => {
    tab.got.push(n.seq);
    tab.ids.set(n.seq, n.id);
  });
  client.on('broadcast', (b) => tab.broadcasts.push(b.id));
  client.on('resync', () => void reload(user).then((seqs) => seqs.forEach((s) => tab.reloaded.add(s))));
  client.on('error', (e) => tab.problems.push(`client error: ${e.message}`));
  return tab;
}
