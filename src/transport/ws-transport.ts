/**
 * `WsTransport`: a `ws` WebSocket as a {@link Transport}. The hot path writes pre-built frames straight to
 * the TCP socket. Frames a socket gets in one turn of the event loop are corked until the turn's check phase
 * (`setImmediate`), so a socket costs one `writev` per turn however many publishes were read in its poll
 * phase; when the loop is quiet a socket's first frame of a turn leaves at once (no added latency). A
 * broadcast's bytes are built once for all recipients (the uWebSockets approach).
 * It falls back to `ws.send` whenever `ws` itself has frames queued (permessage-deflate, a close in
 * progress), so frame order is always preserved.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
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
  /** Called once when the connection has closed, after the transport's own handlers (4002 for a slow client). */
  onClose?: (transport: WsTransport, code: number) => void;
}

const SLOW_CLOSE_GRACE_MS = 1000;
/** How often `drained()` looks at bytes that `ws` queues itself (no socket event marks their departure). */
const DRAIN_POLL_MS = 50;
const NO_OPTIONS: WsTransportOptions = { maxBufferedBytes: Infinity, compressed: true };

/**
 * Turns of the event loop in which something was written, counted so a socket knows whether it already wrote
 * in this one. Sockets corked in a turn are uncorked together in its check phase: one `setImmediate` for all
 * of them, not a callback per socket. Shared by every server of the process (one event loop).
 */
let turn = 1;
const corked: Duplex[] = [];
let flushScheduled = false;
/** Frames written in this turn by sockets that had already written in it. */
let repeats = 0;
/** The last turn coalesced (some socket got several frames): a busy period, so first frames are corked too. */
let coalescing = false;

function endTurn(): void {
  flushScheduled = false;
  coalescing = repeats > 0;
  repeats = 0;
  turn = turn >= 0x3fffffff ? 1 : turn + 1;
  // Sockets corked while flushing (a write callback sending again) wait for the next turn, in the new list.
  const count = corked.length;
  for (let i = 0; i < count; i++) corked[i]!.uncork();
  corked.splice(0, count);
}

function scheduleEndOfTurn(): void {
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(endTurn);
  }
}

/**
 * Hold what is written to `socket` until this turn's check phase. Called before an upgrade is completed,
 * so the `101` answer leaves in one `writev` with the frames the application sends in the same turn
 * (`hello`, a replay) instead of a system call of its own.
 */
export function corkUntilEndOfTurn(socket: Duplex): void {
  if (socket.writableCorked > 0) return;
  socket.cork();
  corked.push(socket);
  scheduleEndOfTurn();
}

/**
 * The server's WebSocket class (`new WebSocketServer({ WebSocket: WsTransport })`): the ws socket is the
 * transport, so an idle connection carries no wrapper object and no listener closure of its own (19,000
 * idle sockets). `attach()` is called once, right after the upgrade.
 */
export class WsTransport extends WebSocket implements Transport {
  /** Set by the heartbeat: false after a ping until the pong arrives. */
  alive = true;
  /** Optional application-level ping sent with each heartbeat (for browsers, which cannot see pings). */
  appPing: PreparedText | null = null;
  /** Client address after proxy-header resolution. */
  remoteAddress = '';
  /** When the connection was accepted (ms since epoch). */
  openedAt = 0;
  #fast: Socket | null = null;
  #handlers: TransportHandlers | null = null;
  #held: Array<[string | Buffer, boolean]> | null = null;
  #closing = false;
  /** Closed by the buffered-bytes cap: reported as 4002 even if the close frame never got through. */
  #slow = false;
  /** The turn of the event loop this socket last wrote in (see `turn`). */
  #turn = 0;
  #options: WsTransportOptions = NO_OPTIONS;

  // Listeners shared by every socket: ws calls them with `this` = the socket, which is the transport.
  static readonly #onMessage = function (this: WebSocket, data: Buffer, isBinary: boolean): void {
    const t = this as WsTransport;
    const counts = t.#options.counts;
    if (counts) counts.in++;
    const payload = isBinary ? data : data.toString('utf8');
    if (t.#handlers) t.#handlers.message(payload, isBinary);
    else (t.#held ??= []).push([payload, isBinary]);
  };

  static readonly #onPong = function (this: WebSocket): void {
    (this as WsTransport).alive = true;
  };

  static readonly #onClose = function (this: WebSocket, code: number, reason: Buffer): void {
    const t = this as WsTransport;
    t.#closing = true;
    // A slow client's close frame waits behind what it never read, so ws usually reports 1006 (cut).
    const reported = t.#slow ? CloseCode.SLOW_CLIENT : code;
    t.#handlers?.close(reported, t.#slow ? 'slow client' : reason.toString());
    t.#options.onClose?.(t, reported);
  };

  /** Start serving: called by the server once, in the upgrade callback. */
  attach(options: WsTransportOptions, remoteAddress: string): this {
    this.#options = options;
    this.remoteAddress = remoteAddress;
    this.openedAt = Date.now();
    this.#fast = options.compressed ? null : ((this as unknown as WsInternals)._socket ?? null);
    this.on('message', WsTransport.#onMessage);
    this.on('pong', WsTransport.#onPong);
    // Protocol errors (bad opcode, invalid UTF-8, too big) are answered by ws with the right close code;
    // the listener only keeps them from being thrown.
    this.on('error', ignore);
    this.on('close', WsTransport.#onClose);
    return this;
  }

  get isOpen(): boolean {
    return !this.#closing && this.readyState === 1;
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
    else this.send(typeof text === 'string' ? text : text.text);
    this.#checkBuffered();
  }

  sendBinary(data: Uint8Array): void {
    if (!this.isOpen) return;
    if (this.#options.counts) this.#options.counts.out++;
    this.send(data, { binary: true });
    this.#checkBuffered();
  }

  /**
   * Start (or, when ws calls it on the peer's close frame, complete) the close handshake. Always passed on
   * to ws, which ignores a repeated close and needs the one that completes the handshake.
   */
  override close(code?: number, reason?: string | Buffer): void {
    this.#closing = true;
    super.close(code, reason);
  }

  /** Cut the connection without a close handshake (dead peer). */
  override terminate(): void {
    this.#closing = true;
    super.terminate();
  }

  /** Send a protocol ping (and the app-level ping, if set). Used by the heartbeat. */
  heartbeat(): void {
    if (!this.isOpen) return;
    this.alive = false;
    this.ping();
    if (this.appPing) this.sendText(this.appPing);
  }

  /** The raw socket, when writing to it directly keeps frame order (ws has nothing queued). */
  #fastSocket(): Socket | null {
    const socket = this.#fast;
    if (!socket || socket.destroyed) return null;
    const sender = (this as unknown as WsInternals)._sender;
    if (!sender || sender._state !== 0 || (sender._queue && sender._queue.length > 0)) return null;
    return socket;
  }

  /**
   * Quiet (the last turn gave no socket a second frame): a socket's first frame in a turn goes straight out,
   * as in a plain ws loop, so a lone message waits for nothing. Any further frames of the turn, and in a
   * busy period every frame, are corked and leave together in the turn's check phase: one writev per socket
   * per turn however many publishes were read in its poll phase.
   */
  #write(socket: Socket, frame: Buffer): void {
    let cork = coalescing;
    if (this.#turn !== turn) {
      this.#turn = turn;
      scheduleEndOfTurn();
    } else {
      repeats++;
      cork = true;
    }
    if (cork && socket.writableCorked === 0) {
      socket.cork();
      corked.push(socket);
    }
    socket.write(frame);
  }

  get backlogged(): boolean {
    return this.bufferedAmount > this.#options.maxBufferedBytes / 2;
  }

  /**
   * Resolves when the unsent bytes are back under the backlog mark (checked on each `drain` of the TCP
   * socket, and every {@link DRAIN_POLL_MS} for bytes `ws` itself queues) or the connection has closed.
   */
  drained(): Promise<void> {
    if (!this.backlogged || !this.isOpen) return Promise.resolve();
    const socket = (this as unknown as WsInternals)._socket;
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.backlogged && this.isOpen) return;
        clearInterval(poll);
        socket?.off('drain', check);
        this.off('close', check);
        resolve();
      };
      const poll = setInterval(check, DRAIN_POLL_MS);
      socket?.on('drain', check);
      this.on('close', check);
    });
  }

  #checkBuffered(): void {
    if (this.bufferedAmount <= this.#options.maxBufferedBytes || this.#closing) return;
    this.#slow = true;
    this.#options.onSlow?.();
    this.close(CloseCode.SLOW_CLIENT, 'slow client');
    setTimeout(() => this.terminate(), SLOW_CLOSE_GRACE_MS).unref();
  }
}

function ignore(): void {}
