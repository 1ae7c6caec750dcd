/**
 * `WebsocketCommunicator`: drive a WebSocket application in-process with no network, as in Channels'
 * testing module. Connect, send, and await what the application sends, each with a timeout.
 */
import { ERRORS, type ErrorCode } from '../errors.js';
import type { IncomingHttpHeaders } from 'node:http';
import type { Handshake, Scope, SocketApp, User } from '../consumer/index.js';
import { getChannelLayer, type ChannelLayer } from '../layer/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { MemoryTransport, type OutputEvent, type Transport } from '../transport/index.js';

export interface CommunicatorOptions {
  /** Request headers (e.g. `origin`, `cookie`). `host` defaults to `testserver`. */
  headers?: IncomingHttpHeaders;
  /** Put this user in `scope.user` (as if auth middleware had run). */
  user?: User | null;
  /** Channel layer; defaults to the process-wide `getChannelLayer()`. */
  layer?: ChannelLayer;
  /** Subprotocols offered by the client. */
  subprotocols?: string[];
  /** Client address. Default 127.0.0.1. */
  ip?: string;
  logger?: Logger;
}

/** Outcome of `connect()`. */
export type ConnectResult =
  | { accepted: true; subprotocol: string | undefined }
  | { accepted: false; status: number; code: string; message: string | undefined };

const DEFAULT_TIMEOUT_MS = 1000;

/** A queue of values with awaitable `next(timeout)`. */
class Inbox<T> {
  #items: T[] = [];
  #waiters: Array<(v: T) => void> = [];

  push(item: T): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(item);
    else this.#items.push(item);
  }

  next(timeoutMs: number, what: string): Promise<T> {
    const item = this.#items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(onItem), 1);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const onItem = (v: T) => {
        clearTimeout(timer);
        resolve(v);
      };
      this.#waiters.push(onItem);
    });
  }

  get size(): number {
    return this.#items.length;
  }
}

export class WebsocketCommunicator {
  readonly scope: Scope;
  #app: SocketApp;
  #options: CommunicatorOptions;
  #output = new Inbox<OutputEvent>();
  #connected = new Inbox<ConnectResult>();
  #transport: MemoryTransport | null = null;

  constructor(app: SocketApp, path: string, options: CommunicatorOptions = {}) {
    this.#app = app;
    this.#options = options;
    const url = new URL(path, 'ws://testserver');
    const headers: IncomingHttpHeaders = { host: 'testserver', ...options.headers };
    this.scope = {
      type: 'websocket',
      path: url.pathname,
      query: url.searchParams,
      headers,
      client: { ip: options.ip ?? '127.0.0.1', port: 0 },
      origin: typeof headers.origin === 'string' ? headers.origin : undefined,
      subprotocols: options.subprotocols ?? [],
      params: {},
      user: options.user ?? null,
      state: {},
    };
  }

  /** Run the application's handshake; resolves with accepted or the refusal (status, code). */
  async connect(options: { timeoutMs?: number } = {}): Promise<ConnectResult> {
    const handshake = this.#handshake();
    Promise.resolve()
      .then(() => this.#app(this.scope, handshake))
      .then(() => {
        if (!handshake.settled) handshake.reject('FORBIDDEN', 'connection not accepted');
      })
      .catch(() => {
        if (!handshake.settled) handshake.reject('INTERNAL', 'application failed');
      });
    return this.#connected.next(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'the handshake');
  }

  /** Send a text message. */
  sendText(text: string): void {
    this.#open().deliver(text, false);
  }

  /** Send a binary message. */
  sendBytes(data: Uint8Array): void {
    this.#open().deliver(Buffer.from(data), true);
  }

  /** Send a value as JSON text. */
  sendJson(value: unknown): void {
    this.sendText(JSON.stringify(value));
  }

  /** The next thing the application did: a text, binary or close event. */
  receiveOutput(options: { timeoutMs?: number } = {}): Promise<OutputEvent> {
    return this.#output.next(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'output from the application');
  }

  /** The next message, parsed as JSON. Throws if the next event is a close or binary message. */
  async receiveJson<T = unknown>(options: { timeoutMs?: number } = {}): Promise<T> {
    const event = await this.receiveOutput(options);
    if (event.type !== 'text') throw new Error(`expected a text message, got ${JSON.stringify(event)}`);
    return JSON.parse(event.text) as T;
  }

  /** The next event, which must be a close; returns its code and reason. */
  async receiveClose(options: { timeoutMs?: number } = {}): Promise<{ code: number; reason: string }> {
    const event = await this.receiveOutput(options);
    if (event.type !== 'close') throw new Error(`expected a close, got ${JSON.stringify(event)}`);
    return { code: event.code, reason: event.reason };
  }

  /** True if the application sends nothing within `timeoutMs` (default 100 ms). */
  async receiveNothing(options: { timeoutMs?: number } = {}): Promise<boolean> {
    if (this.#output.size > 0) return false;
    try {
      await this.#output.next(options.timeoutMs ?? 100, 'nothing');
      return false;
    } catch {
      return true;
    }
  }

  /** Close from the client side; the consumer's disconnect runs. */
  async disconnect(code = 1000): Promise<void> {
    this.#transport?.disconnect(code);
    await new Promise((r) => setImmediate(r));
  }

  #open(): MemoryTransport {
    if (!this.#transport) throw new Error('not connected: call connect() and check it was accepted');
    return this.#transport;
  }

  #handshake(): Handshake {
    let settled = false;
    const settle = () => {
      if (settled) throw new Error('handshake already accepted or rejected');
      settled = true;
    };
    return {
      layer: this.#options.layer ?? getChannelLayer(),
      log: this.#options.logger ?? silentLogger(),
      get settled() {
        return settled;
      },
      accept: (subprotocol?: string): Transport => {
        settle();
        this.#transport = new MemoryTransport((e) => this.#output.push(e), this.scope.client.ip);
        this.#connected.push({ accepted: true, subprotocol });
        return this.#transport;
      },
      reject: (code: ErrorCode, message?: string) => {
        settle();
        this.#connected.push({ accepted: false, status: ERRORS[code].status, code, message });
      },
    };
  }
}
