/**
 * The application model (ASGI-style, as in Django Channels): a WebSocket application is a function of the
 * connection's scope and its handshake. Middleware wraps an application; routers choose one by URL.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { ErrorCode } from '../errors.js';
import type { ChannelLayer } from '../layer/index.js';
import type { Logger } from '../log/index.js';
import type { Transport } from '../transport/index.js';

/** An authenticated user, put in `scope.user` by auth middleware. */
export interface User {
  /** Stable user id: the personal group is derived from it. */
  readonly id: string;
  /** Token claims or session data, for the application's own use. */
  readonly claims?: Readonly<Record<string, unknown>>;
  /** When the credentials expire (ms since epoch), if they do. */
  readonly expiresAt?: number;
}

/** What is known about a connection before it is accepted. */
export interface Scope {
  /** `websocket`, or `http` when an HTTP route authenticates a request with the socket authenticator. */
  readonly type: 'websocket' | 'http';
  /** Path without the query string, e.g. `/rooms/lobby/`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Request headers. Dropped (emptied) once the connection is accepted, to keep idle sockets small. */
  headers: IncomingHttpHeaders;
  /** Client address: the peer, or the first untrusted hop of X-Forwarded-For when proxy headers are on. */
  readonly client: { readonly ip: string; readonly port: number };
  /** The `Origin` header, if any. */
  readonly origin: string | undefined;
  /** Subprotocols the client offered (auth middleware may drop one that carried a credential). */
  subprotocols: readonly string[];
  /** Path parameters from the URL router (`/rooms/:room/` -> `{ room }`). */
  params: Record<string, string>;
  /** Set by auth middleware: the user, or null for an anonymous connection. */
  user: User | null;
  /** Free space for middleware and applications. */
  readonly state: Record<string, unknown>;
}

/** The handshake: accept the upgrade (once) or refuse it with an HTTP status. */
export interface Handshake {
  /** The server's channel layer. */
  readonly layer: ChannelLayer;
  /** A logger bound to this connection. */
  readonly log: Logger;
  /** Complete the upgrade and return the open connection. Throws if already accepted or rejected. */
  accept(subprotocol?: string): Transport;
  /**
   * Refuse before the upgrade with the error `code`: the HTTP status comes from the error table (`ERRORS`),
   * the body is `{"code","message"}` (the table's message unless one is given).
   */
  reject(code: ErrorCode, message?: string): void;
  /** Whether accept or reject was called. */
  readonly settled: boolean;
}

/** A WebSocket application. It must settle the handshake (accept or reject), or the server rejects with 403. */
export type SocketApp = (scope: Scope, handshake: Handshake) => void | Promise<void>;

/** Wraps an application: `authMiddleware(...)(app)`. */
export type Middleware = (inner: SocketApp) => SocketApp;

/** Apply middleware outermost-first: `stack(app, a, b)` runs a, then b, then app. */
export function stack(app: SocketApp, ...middleware: Middleware[]): SocketApp {
  return middleware.reduceRight<SocketApp>((inner, m) => m(inner), app);
}
