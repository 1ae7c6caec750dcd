/**
 * `WsTransport`: a `ws` WebSocket as a {@link Transport}. The hot path writes pre-built frames straight to
 * the TCP socket, corked until the event loop's check phase (`setImmediate`): a socket costs one `writev` for
 * everything it receives in one turn of the loop (every publish read in that poll phase, not only one
 * callback's), and a broadcast's bytes are built once for all recipients (the uWebSockets approach).
 * It falls back to `ws.send` whenever `ws` itself has frames queued (permessage-deflate, a close in
 * progress), so frame order is always preserved.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import { buildTextFrame } from './prepared.js';
import type { PreparedText, Transport, TransportHandlers } from './types.js';

/** The parts of ws internals the fast path relies on (ws 8). Checked at runtime; absent -> slow path. */
interface WsInternals {
  _socket?: Socket | null;
  _sender?: { _state?: number; _queue?: unknown[]; _deflating?: boolean } | null;
}

/** Messages received from and sent to clients, cumulative (plain numbers: no metrics call per message). */
export interface FrameCounts {
  in: number;
  out: number;
}

/** Options shared by every socket of a server (one object, not one per socket). */
export interface WsTransportOptions {
  /** Unsent bytes allowed before the socket is closed with 4002. */
  maxBufferedBytes: number;
  /** Counted into, if given. */
  counts?: FrameCounts;
  /** Whether permessage-deflate was negotiated (disables the raw-frame fast path). */
  compressed: boolean;
  /** Called once when the socket is closed for being slow. */
  onSlow?: () => void;
}

const SLOW_CLOSE_GRACE_MS = 1000;

/**
 * Sockets corked in this turn of the event loop, uncorked together in its check phase: one `setImmediate`
 * for all of them, not a callback per socket. Shared by every server of the process (one event loop).
 */
const corked: Socket[] = [];
let flushScheduled = false;

function flushCorked(): void {
  flushScheduled = false;
  // Sockets corked while flushing (a write callback sending again) wait for the next turn, in the new list.
  const count = corked.length;
  for (let i = 0; i < count; i++) corked[i]!.uncork();
  corked.splice(0, count);
}

function corkUntilCheckPhase(socket: Socket): void {
  socket.cork();
  corked.push(socket);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flushCorked);
  }
}

export class WsTransport implements Transport {
  /** Set by the heartbeat: false after a ping until the pong arrives. */
  alive = true;
  /** Optional application-level ping sent with each heartbeat (for browsers, which cannot see pings). */
  appPing: PreparedText | null = null;
  readonly remoteAddress: string;
  #ws: WebSocket;
  #socket: Socket | null;
  #handlers: TransportHandlers | null = null;
  #held: Array<[string | Buffer, boolean]> | null = null;
  #closing = false;
  #options: WsTransportOptions;

  /** @param remoteAddress client address after proxy-header resolution. */
  constructor(ws: WebSocket, options: WsTransportOptions, remoteAddress: string) {
    this.#ws = ws;
    this.#options = options;
    this.remoteAddress = remoteAddress;
    const internals = ws as unknown as WsInternals;
    this.#socket = options.compressed ? null : (internals._socket ?? null);
    ws.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    // Protocol errors (bad opcode, invalid UTF-8, too big) are answered by ws with the right close code;
    // the listener only keeps them from being thrown.
    ws.on('error', () => {});
    ws.once('close', (code, reason) => this.#handlers?.close(code, reason.toString()));
  }

  get isOpen(): boolean {
    return !this.#closing && this.#ws.readyState === 1;
  }

  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  setHandlers(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    const held = this.#held;
    this.#held = null;
    if (held) for (const [data, isBinary] of held) handlers.message(data, isBinary);
  }

  sendText(text: string | PreparedText): void {
    if (!this.isOpen) return;
    if (this.#options.counts) this.#options.counts.out++;
    const socket = this.#fastSocket();
    if (socket) this.#write(socket, typeof text === 'string' ? buildTextFrame(text) : text.frame());
    else this.#ws.send(typeof text === 'string' ? text : text.text);
    this.#checkBuffered();
  }

  sendBinary(data: Uint8Array): void {
    if (!this.isOpen) return;
    if (this.#options.counts) this.#options.counts.out++;
    this.#ws.send(data, { binary: true });
    this.#checkBuffered();
  }

  close(code: number = CloseCode.NORMAL, reason = ''): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#ws.close(code, reason);
  }

  /** Cut the connection without a close handshake (dead peer). */
  terminate(): void {
    this.#closing = true;
    this.#ws.terminate();
  }

  /** Send a protocol ping (and the app-level ping, if set). Used by the heartbeat. */
  ping(): void {
    if (!this.isOpen) return;
    this.alive = false;
    this.#ws.ping();
    if (this.appPing) this.sendText(this.appPing);
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.#options.counts) this.#options.counts.in++;
    const payload = isBinary ? data : data.toString('utf8');
    if (this.#handlers) this.#handlers.message(payload, isBinary);
    else (this.#held ??= []).push([payload, isBinary]);
  }

  /** The raw socket, when writing to it directly keeps frame order (ws has nothing queued). */
  #fastSocket(): Socket | null {
    const socket = this.#socket;
    if (!socket || socket.destroyed) return null;
    const sender = (this.#ws as unknown as WsInternals)._sender;
    if (!sender || sender._state !== 0 || (sender._queue && sender._queue.length > 0)) return null;
    return socket;
  }

  #write(socket: Socket, frame: Buffer): void {
    // writableCorked is 0 again once the flush uncorked it: no per-socket flag or closure needed.
    if (socket.writableCorked === 0) corkUntilCheckPhase(socket);
    socket.write(frame);
  }

  #checkBuffered(): void {
    if (this.#ws.bufferedAmount <= this.#options.maxBufferedBytes || this.#closing) return;
    this.#options.onSlow?.();
    this.close(CloseCode.SLOW_CLIENT, 'slow client');
    setTimeout(() => this.#ws.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  }
}
