/**
 * Test doubles for the browser client in Node: a scriptable WebSocket class, a BroadcastChannel bus and a
 * fetch recorder. Each `createFakes()` call makes its own classes, so tests never share sockets or channels.
 */
import type {
  BroadcastChannelConstructor,
  BroadcastChannelLike,
  FetchLike,
  Handler,
  ResponseLike,
  WebSocketConstructor,
  WebSocketLike,
} from '../../../src/client/index.js';

/** A socket whose server side the test drives. */
export interface FakeSocket extends WebSocketLike {
  readonly url: URL;
  readonly protocols: string[];
  /** Frames the client sent, parsed. */
  readonly sent: Record<string, unknown>[];
  /** The code the client closed with, if it did. */
  closedWith: number | undefined;
  /** Server side: accept the connection. */
  open(): void;
  /** Server side: send a frame (an object is JSON-encoded, a string sent as is). */
  receive(frame: object | string): void;
  /** Server side: close with a code. */
  serverClose(code: number, reason?: string): void;
}

export interface Fakes {
  WebSocket: WebSocketConstructor;
  /** Every socket the client created, in order. */
  sockets: FakeSocket[];
  /** The latest socket. */
  last(): FakeSocket;
}

/** A fresh fake WebSocket class. */
export function createFakes(): Fakes {
  const sockets: FakeSocket[] = [];
  class FakeWebSocket implements FakeSocket {
    readonly url: URL;
    /** The subprotocols offered (where the client puts its token by default). */
    readonly protocols: string[];
    readonly sent: Record<string, unknown>[] = [];
    readyState = 0;
    closedWith: number | undefined;
    onopen: Handler<unknown> | null = null;
    onmessage: Handler<{ data: unknown }> | null = null;
    onclose: Handler<{ code: number; reason: string }> | null = null;
    onerror: Handler<unknown> | null = null;
    constructor(url: string, protocols?: string | string[]) {
      this.url = new URL(url);
      this.protocols = protocols === undefined ? [] : typeof protocols === 'string' ? [protocols] : protocols;
      sockets.push(this);
    }
    send(data: string): void {
      if (this.readyState !== 1) throw new Error('send on a socket that is not open');
      this.sent.push(JSON.parse(data) as Record<string, unknown>);
    }
    close(code?: number): void {
      this.closedWith = code ?? 1000;
      this.readyState = 3;
    }
    open(): void {
      this.readyState = 1;
      this.onopen?.({});
    }
    receive(frame: object | string): void {
      this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
    }
    serverClose(code: number, reason = ''): void {
      this.readyState = 3;
      this.onclose?.({ code, reason });
    }
  }
  return {
    WebSocket: FakeWebSocket,
    sockets,
    last() {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was created');
      return socket;
    },
  };
}

/** A BroadcastChannel class whose instances talk to each other (same name), delivering on a microtask. */
export function createChannelBus(): BroadcastChannelConstructor {
  const byName = new Map<string, Set<FakeChannel>>();
  class FakeChannel implements BroadcastChannelLike {
    onmessage: Handler<{ data: unknown }> | null = null;
    private readonly peers: Set<FakeChannel>;
    constructor(name: string) {
      this.peers = byName.get(name) ?? new Set();
      byName.set(name, this.peers);
      this.peers.add(this);
    }
    postMessage(message: unknown): void {
      const data: unknown = JSON.parse(JSON.stringify(message)); // structured clone, roughly
      for (const peer of this.peers) if (peer !== this) queueMicrotask(() => peer.onmessage?.({ data }));
    }
    close(): void {
      this.peers.delete(this);
    }
  }
  return FakeChannel;
}

/** A recorded HTTP call. */
export interface FetchCall {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that records calls and answers with `answer(call)` (status 200 unless given). */
export function createFetch(answer: (call: FetchCall) => { status?: number; body: unknown }): {
  fetch: FetchLike;
  calls: FetchCall[];
} {
  const calls: FetchCall[] = [];
  const fetch: FetchLike = async (url, init) => {
    const call = { url: new URL(url), method: init.method, headers: init.headers, body: init.body ? JSON.parse(init.body) : undefined };
    calls.push(call);
    const { status = 200, body } = answer(call);
    const response: ResponseLike = { ok: status < 400, status, json: async () => body };
    return response;
  };
  return { fetch, calls };
}

/** Lets pending promise callbacks (getToken, channel messages) run. Not affected by mock timers. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** A `hello` frame. */
export function hello(fields: Partial<{ user: string | null; unread: number; seq: number; ping: number }> = {}): object {
  return { type: 'hello', user: 'alice', unread: 0, seq: 0, ping: 25, ...fields };
}

/** A `notification` frame. */
export function notification(seq: number, fields: Partial<{ id: string; unread: number; kind: string }> = {}): object {
  return { type: 'notification', id: `n${seq}`, seq, kind: 'comment', data: { from: 'bob' }, createdAt: '2025-01-01T00:00:00.000Z', unread: seq, ...fields };
}
