/**
 * The server side of one WebSocket handshake: scope construction, the HTTP refusal written to the raw
 * socket, and `accept()` completing the upgrade through `ws`. References to the request and socket are
 * dropped as soon as the handshake settles, so an idle connection keeps only what it needs.
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { ERRORS, TidingsError, type ErrorCode } from '../errors.js';
import type { ChannelLayer } from '../layer/index.js';
import type { Logger } from '../log/index.js';
import type { Handshake, Scope } from '../consumer/index.js';
import { corkUntilEndOfTurn, type Transport } from '../transport/index.js';
import { requestUrl } from '../http/index.js';

/**
 * The error listener of a socket being upgraded (one function for all: no closure per socket). Removed once
 * ws owns the socket, which then handles its errors itself.
 */
export function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** Write an HTTP error response on a socket that has not been upgraded, then close it. */
export function refuseSocket(socket: Duplex, code: ErrorCode, message?: string): void {
  if (socket.destroyed) return;
  const status = ERRORS[code].status;
  const body = JSON.stringify({ code, message: message ?? ERRORS[code].message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

const NO_SUBPROTOCOLS: readonly string[] = Object.freeze([]);

/** Build the scope of an upgrade request. */
export function buildScope(req: IncomingMessage, ip: string): Scope {
  const url = requestUrl(req.url);
  const protocols = req.headers['sec-websocket-protocol'];
  return {
    type: 'websocket',
    path: url.pathname,
    // A standalone copy: keeping url.searchParams would keep the whole URL (and its href) alive per socket.
    query: new URLSearchParams(url.search),
    headers: req.headers,
    client: { ip, port: req.socket.remotePort ?? 0 },
    origin: typeof req.headers.origin === 'string' ? req.headers.origin : undefined,
    subprotocols: protocols ? protocols.split(',').map((p) => p.trim()).filter(Boolean) : NO_SUBPROTOCOLS,
    params: {},
    user: null,
    state: {},
  };
}

/** What the server supplies to every handshake (one object per server). */
export interface HandshakeDeps {
  readonly wss: WebSocketServer;
  readonly layer: ChannelLayer;
  readonly rootLog: Logger;
  /** Wrap the accepted ws in a transport (and register it with heartbeat, metrics, logs). */
  readonly open: (ws: WebSocket, scope: Scope) => Transport;
  /** A handshake was refused with `status`: release what the server holds for the client at `ip`. */
  readonly onRefuse: (status: number, ip: string) => void;
}

export class ServerHandshake implements Handshake {
  #req: IncomingMessage | null;
  #socket: Duplex | null;
  #head: Buffer | null;
  #log: Logger | null = null;
  #settled = false;

  constructor(
    readonly deps: HandshakeDeps,
    readonly scope: Scope,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ) {
    this.#req = req;
    this.#socket = socket;
    this.#head = head;
  }

  get layer(): ChannelLayer {
    return this.deps.layer;
  }

  get log(): Logger {
    this.#log ??= this.deps.rootLog.child({ ip: this.scope.client.ip, path: this.scope.path });
    return this.#log;
  }

  get settled(): boolean {
    return this.#settled;
  }

  accept(subprotocol?: string): Transport {
    const { req, socket, head } = this.#take();
    if (subprotocol !== undefined) req.headers['sec-websocket-protocol'] = subprotocol;
    else delete req.headers['sec-websocket-protocol'];
    let accepted: WebSocket | undefined;
    corkUntilEndOfTurn(socket);
    this.deps.wss.handleUpgrade(req, socket, head, (ws) => {
      accepted = ws;
    });
    if (!accepted) {
      // ws answered 400 itself (e.g. a malformed Sec-WebSocket-Extensions) or the client went away: a refusal,
      // so release what the server holds for this handshake (the per-IP slot) and report the client's fault.
      this.deps.onRefuse(400, this.scope.client.ip);
      throw new TidingsError('BAD_HANDSHAKE', 'the upgrade was refused (invalid extension offer) or the client went away');
    }
    // ws listens for the socket's errors from now on (a refused upgrade keeps ours: ws adds none then).
    socket.off('error', destroyOnError);
    return this.deps.open(accepted, this.scope);
  }

  reject(code: ErrorCode, message?: string): void {
    const { socket } = this.#take();
    this.deps.onRefuse(ERRORS[code].status, this.scope.client.ip);
    refuseSocket(socket, code, message);
  }

  #take(): { req: IncomingMessage; socket: Duplex; head: Buffer } {
    if (this.#settled || !this.#req || !this.#socket || !this.#head) {
      throw new TidingsError('INTERNAL', 'handshake already accepted or rejected');
    }
    const taken = { req: this.#req, socket: this.#socket, head: this.#head };
    this.#settled = true;
    this.#req = null;
    this.#socket = null;
    this.#head = null;
    return taken;
  }
}
