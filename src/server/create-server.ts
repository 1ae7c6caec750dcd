/**
 * `createServer`: one port for HTTP and WebSocket (the protocol router of Channels' ProtocolTypeRouter).
 * Upgrade requests go to the WebSocket application after handshake validation and the per-address limit;
 * everything else goes to the HTTP handler. Graceful close drains sockets in batches with 4001.
 *
 * Drain order (within `shutdownTimeout`): report not ready and refuse new WebSocket handshakes with 503
 * while the HTTP listener stays open (load balancers see `/readyz` 503; API calls in flight complete); close
 * sockets in batches with 4001 and wait for their close handshakes; cut the stragglers; stop listening and
 * give HTTP requests in flight a short grace (publishes finish; long polls are cut); cut what is left. A reserve at the end of the budget is kept for the
 * caller to finish publishes and close the layer and the database.
 */
import { ERRORS, type ErrorCode } from '../errors.js';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DEFAULTS, type Config } from '../config/index.js';
import type { Scope, SocketApp } from '../consumer/index.js';
import { useChannelLayerByDefault, type ChannelLayer } from '../layer/index.js';
import { silentLogger, type Logger } from '../log/index.js';
import { createMetrics, type Metrics } from '../metrics/index.js';
import { CloseCode } from '../protocol/close-codes.js';
import { createHeartbeat, WsTransport, type FrameCounts, type WsTransportOptions } from '../transport/index.js';
import { ServerHandshake, buildScope, destroyOnError, refuseSocket, type HandshakeDeps } from './handshake.js';
import { listenOn } from './ops-server.js';
import { clientAddressResolver } from './proxy.js';

export type ServerSettings = Pick<
  Config,
  | 'host' | 'port' | 'maxPayload' | 'perMessageDeflate' | 'pingInterval' | 'maxBufferedBytes' | 'proxyHeaders'
  | 'trustedProxies' | 'maxConnectionsPerIp' | 'handshakeTimeout' | 'shutdownTimeout'
>;

export interface ServerOptions {
  /** The WebSocket application (a router, usually wrapped in middleware). */
  websocket: SocketApp;
  /** Handler for plain HTTP requests; default answers `/healthz` and 404 for the rest. */
  http?: RequestListener;
  layer: ChannelLayer;
  logger?: Logger;
  metrics?: Metrics;
  /** Overrides of the configured defaults (see the configuration table). */
  settings?: Partial<ServerSettings>;
}

export interface TidingsServer {
  /** Start listening; resolves with the bound address (port 0 picks a free port). */
  listen(): Promise<AddressInfo>;
  /** `http://host:port` once listening. */
  readonly url: string;
  readonly httpServer: Server;
  readonly metrics: Metrics;
  /** Open WebSocket connections. */
  readonly connections: number;
  /** True once close() has begun: readiness fails and new sockets are refused. */
  readonly draining: boolean;
  /** Messages received from / sent to clients since start (also in `tidings_frames_*_total`). */
  readonly frames: Readonly<FrameCounts>;
  /**
   * Graceful close: refuse new sockets (503), close open ones in batches with 4001 and wait for them, then
   * stop listening and give HTTP requests in flight up to 1 s; everything is cut by `shutdownTimeout` minus
   * a reserve (a quarter of it, at most 2 s) left to the caller. Idempotent.
   */
  close(): Promise<void>;
}

const KEY = /^[+/0-9A-Za-z]{22}==$/;
const DRAIN_BATCH = 500;
/** Part of the shutdown budget left for the caller (publishes, layer, database): a quarter, at most 2 s. */
const RESERVE_MAX_MS = 2000;
/** How long requests in flight (publishes: milliseconds; long polls: up to their wait) may finish. */
const HTTP_GRACE_MS = 1000;

function invalidHandshake(req: IncomingMessage): string | null {
  if (req.method !== 'GET') return 'WebSocket handshakes must use GET';
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return 'Upgrade header must be "websocket"';
  if (!KEY.test(String(req.headers['sec-websocket-key'] ?? ''))) return 'missing or invalid Sec-WebSocket-Key';
  const version = req.headers['sec-websocket-version'];
  if (version !== '13' && version !== '8') return 'unsupported Sec-WebSocket-Version (use 13)';
  return null;
}

function defaultHttp(req: IncomingMessage, res: import('node:http').ServerResponse): void {
  const ok = req.url === '/healthz';
  res.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(ok ? { status: 'ok' } : { code: 'NOT_FOUND', message: 'not found' }));
}

/** Create (but do not start) a Tidings server. */
export function createServer(options: ServerOptions): TidingsServer {
  const s: ServerSettings = { ...DEFAULTS, ...options.settings };
  const log = options.logger ?? silentLogger();
  // As Channels' get_channel_layer(): code anywhere in a serving process reaches the server's layer.
  const releaseDefaultLayer = useChannelLayerByDefault(options.layer);
  const metrics = options.metrics ?? createMetrics({ defaults: false });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: s.maxPayload,
    perMessageDeflate: s.perMessageDeflate,
    clientTracking: false,
    WebSocket: WsTransport,
  });
  // Open sockets and their scopes (for the close log line): the only per-socket collection of the server.
  const sockets = new Map<WsTransport, Scope>();
  const heartbeat = createHeartbeat(s.pingInterval * 1000, () => sockets.keys());
  const perIp = new Map<string, number>();
  const clientAddress = clientAddressResolver({ enabled: s.proxyHeaders, trusted: s.trustedProxies });
  const handleHttp = options.http ?? defaultHttp;
  const inFlight = new Set<ServerResponse>();
  let httpClosing = false;
  // Called whenever a socket or a request ends, so the drain awaits events instead of polling.
  let wake: (() => void) | null = null;
  // Node checks headersTimeout/requestTimeout only every connectionsCheckingInterval (default 30 s):
  // check often enough that a slowloris socket is cut close to the handshake timeout.
  const connectionsCheckingInterval = Math.max(100, Math.min(1000, s.handshakeTimeout * 250));
  const httpServer = createHttpServer({ connectionsCheckingInterval }, (req, res) => {
    // Once the listener is closing, answer and hang up: a keep-alive client must not keep the drain waiting.
    if (httpClosing) res.shouldKeepAlive = false;
    inFlight.add(res);
    res.once('close', () => {
      inFlight.delete(res);
      wake?.();
    });
    handleHttp(req, res);
  });
  httpServer.headersTimeout = s.handshakeTimeout * 1000;
  httpServer.requestTimeout = Math.max(s.handshakeTimeout * 3, 30) * 1000;
  let draining = false;
  let closing: Promise<void> | null = null;
  const frames: FrameCounts = { in: 0, out: 0 };
  metrics.track(metrics.framesIn, () => frames.in);
  metrics.track(metrics.framesOut, () => frames.out);

  heartbeat.onTimeout = () => metrics.drops.inc({ reason: 'heartbeat_timeout' });
  // One options object for every socket: per-connection state stays small (19,000 idle sockets).
  const transportOptions: WsTransportOptions = {
    maxBufferedBytes: s.maxBufferedBytes,
    compressed: s.perMessageDeflate,
    onSlow: () => metrics.drops.inc({ reason: 'slow_client' }),
    onClose: (transport, code) => closed(transport, code),
    counts: frames,
  };

  const releaseIp = (ip: string) => {
    const left = (perIp.get(ip) ?? 1) - 1;
    if (left > 0) perIp.set(ip, left);
    else perIp.delete(ip);
  };

  // Connection lines go to the root logger with fields: no child logger per socket.
  const open = (ws: WebSocket, scope: Scope) => {
    const ip = scope.client.ip;
    const transport = (ws as WsTransport).attach(transportOptions, ip);
    sockets.set(transport, scope);
    metrics.connectionsOpen.inc();
    metrics.connectionsOpened.inc();
    log.info({ ip, path: scope.path, user: scope.user?.id ?? null }, 'connection opened');
    return transport;
  };

  function closed(transport: WsTransport, code: number): void {
    const scope = sockets.get(transport);
    sockets.delete(transport);
    releaseIp(transport.remoteAddress);
    metrics.connectionsOpen.dec();
    metrics.connectionsClosed.inc({ code: String(code) });
    const durationMs = Date.now() - transport.openedAt;
    log.info({ ip: transport.remoteAddress, path: scope?.path, user: scope?.user?.id ?? null, code, durationMs }, 'connection closed');
    wake?.();
  }

  // One set of handshake dependencies for every upgrade.
  const handshakeDeps: HandshakeDeps = {
    wss,
    layer: options.layer,
    rootLog: log,
    open,
    onRefuse: (status, ip) => {
      metrics.handshakesRefused.inc({ status: String(status) });
      releaseIp(ip);
    },
  };

  const refuse = (socket: Duplex, code: ErrorCode, message?: string) => {
    metrics.handshakesRefused.inc({ status: String(ERRORS[code].status) });
    refuseSocket(socket, code, message);
  };

  httpServer.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', destroyOnError);
    if (draining) return refuse(socket, 'SHUTTING_DOWN', 'server is shutting down');
    const problem = invalidHandshake(req);
    if (problem) return refuse(socket, 'BAD_HANDSHAKE', problem);
    const ip = clientAddress(req);
    const count = perIp.get(ip) ?? 0;
    if (s.maxConnectionsPerIp > 0 && count >= s.maxConnectionsPerIp) return refuse(socket, 'TOO_MANY_CONNECTIONS', 'too many connections from this address');
    perIp.set(ip, count + 1);
    const scope = buildScope(req, ip);
    const handshake = new ServerHandshake(handshakeDeps, scope, req, socket, head);
    Promise.resolve()
      .then(() => options.websocket(scope, handshake))
      .then(() => {
        if (!handshake.settled) handshake.reject('FORBIDDEN', 'connection not accepted');
      })
      .catch((err: unknown) => {
        log.error({ err, path: scope.path }, 'websocket application failed');
        if (!handshake.settled) handshake.reject('INTERNAL');
      });
  });

  /** Resolve once `done()` holds (checked whenever a socket or request ends) or at `deadline`. */
  function settle(done: () => boolean, deadline: number): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      const timer = setTimeout(finish, Math.max(0, deadline - Date.now()));
      wake = () => {
        if (done()) finish();
      };
      wake();
    });
  }

  async function drain(): Promise<void> {
    draining = true;
    const budget = s.shutdownTimeout * 1000;
    const deadline = Date.now() + budget - Math.min(RESERVE_MAX_MS, budget / 4);
    const all = [...sockets.keys()];
    for (let i = 0; i < all.length; i += DRAIN_BATCH) {
      for (const t of all.slice(i, i + DRAIN_BATCH)) t.close(CloseCode.SHUTDOWN, 'server shutting down');
      await new Promise((r) => setImmediate(r));
    }
    await settle(() => sockets.size === 0, deadline);
    for (const t of sockets.keys()) t.terminate();
    heartbeat.stop();
    httpClosing = true;
    for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
    httpServer.close();
    httpServer.closeIdleConnections();
    await settle(() => inFlight.size === 0, Math.min(deadline, Date.now() + HTTP_GRACE_MS));
    httpServer.closeAllConnections();
    wss.close();
  }

  return {
    httpServer,
    metrics,
    get url() {
      const a = httpServer.address() as AddressInfo | null;
      if (!a) return '';
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      return `http://${host}:${a.port}`;
    },
    get connections() {
      return sockets.size;
    },
    get draining() {
      return draining;
    },
    frames,
    listen: () => listenOn(httpServer, s.port, s.host),
    close: () => (closing ??= drain().finally(releaseDefaultLayer)),
  };
}
