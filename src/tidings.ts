/**
 * `createTidings`: the whole notification service in one object — channel layer, inbox, publisher, the
 * `/inform/` endpoint, the HTTP API and the server — built from a configuration. `main.ts` runs it with
 * signals; an application can embed it (or use it only to publish, without listening).
 */
import type { AddressInfo } from 'node:net';
import { loadConfig, type Config } from './config/index.js';
import { authMiddleware, originValidator, route, stack, urlRouter, type Authenticator, type Route } from './consumer/index.js';
import { apiRoutes, createHttpHandler, demoRoutes, meRoutes, opsRoutes, staticRoutes, type HttpRoute } from './http/index.js';
import { createInboxStore, type InboxStore, type ListQuery, type Notification, type Page } from './inbox/index.js';
import { createChannelLayer, setChannelLayer, type ChannelLayer } from './layer/index.js';
import { silentLogger, type Logger } from './log/index.js';
import { createMetrics, type Metrics } from './metrics/index.js';
import {
  createPublisher,
  createTokenVerifier,
  jwtAuthenticator,
  notificationApp,
  signToken,
  type Publisher,
  type TokenVerifier,
} from './notify/index.js';
import { clientAddressResolver, createServer, type TidingsServer } from './server/index.js';


export interface TidingsOptions {
  /** Settings over the defaults (same names as the configuration table). Ignored when `config` is given. */
  settings?: Partial<Config>;
  /** A complete configuration (from `loadConfig`). */
  config?: Config;
  logger?: Logger;
  /** Use this layer instead of building one from the configuration. */
  layer?: ChannelLayer;
  /** Use this inbox instead of building one from `databaseUrl`. */
  inbox?: InboxStore;
  /** Replaces JWT authentication of sockets (e.g. read your app's own session cookie). */
  authenticate?: Authenticator;
  /** More WebSocket routes, served next to `/inform/` behind the same origin and auth middleware. */
  routes?: Route[];
  /** More HTTP routes. */
  httpRoutes?: HttpRoute[];
}

export interface Tidings {
  readonly config: Config;
  readonly layer: ChannelLayer;
  readonly inbox: InboxStore;
  readonly publisher: Publisher;
  readonly server: TidingsServer;
  readonly metrics: Metrics;
  notify: Publisher['notify'];
  broadcast: Publisher['broadcast'];
  markRead: Publisher['markRead'];
  markAllRead: Publisher['markAllRead'];
  unreadCount(userId: string): Promise<number>;
  list(userId: string, query?: ListQuery): Promise<Page<Notification>>;
  /** Sign a connection token for `userId` with the configured HS256 secret (development, tests). */
  token(userId: string, ttlSeconds?: number): Promise<string>;
  /** Start serving HTTP and WebSocket. */
  listen(): Promise<AddressInfo>;
  /** Graceful stop: drain sockets (4001), finish in-flight publishes, close the layer and the inbox. */
  close(): Promise<void>;
}

function verifierFor(config: Config): TokenVerifier | null {
  if (!config.jwtSecret && !config.jwtPublicKey && !config.jwksUrl) return null;
  return createTokenVerifier({
    secret: config.jwtSecret,
    publicKey: config.jwtPublicKey,
    jwksUrl: config.jwksUrl,
    audience: config.jwtAudience,
    issuer: config.jwtIssuer,
  });
}

/** Count publishes in flight so a graceful stop can wait for them. */
function trackInFlight(publisher: Publisher): { publisher: Publisher; idle(): Promise<void> } {
  const pending = new Set<Promise<unknown>>();
  const track = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => (...args: A): Promise<R> => {
    const p = fn(...args);
    pending.add(p);
    const done = () => pending.delete(p);
    p.then(done, done);
    return p;
  };
  return {
    publisher: { notify: track(publisher.notify), broadcast: track(publisher.broadcast), markRead: track(publisher.markRead), markAllRead: track(publisher.markAllRead) },
    idle: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** Build the service. Connects to Redis and the database (running migrations) before resolving. */
export async function createTidings(options: TidingsOptions = {}): Promise<Tidings> {
  const config = options.config ?? Object.freeze({ ...loadConfig({ env: {} }), ...options.settings });
  const log = options.logger ?? silentLogger();
  const metrics = createMetrics();
  const layer =
    options.layer ??
    (await createChannelLayer({
      redisUrl: config.redisUrl,
      redisOptional: config.redisOptional,
      capacity: config.capacity,
      expiry: config.expiry,
      groupExpiry: config.groupExpiry,
      prefix: config.layerPrefix,
      logger: log.child({ module: 'layer' }),
    }));
  const inbox = options.inbox ?? (await createInboxStore(config.databaseUrl, { logger: log.child({ module: 'inbox' }) }));
  setChannelLayer(layer);
  const verifier = verifierFor(config);
  const tracked = trackInFlight(createPublisher({ inbox, layer, log: log.child({ module: 'publisher' }), metrics }));
  const publisher = tracked.publisher;
  const authenticate = options.authenticate ?? (verifier ? jwtAuthenticator(verifier, config) : () => null);
  const inform = notificationApp({ inbox, publisher, verifier, settings: config, perUser: new Map() });
  const websocket = stack(urlRouter([route('/inform/', inform), ...(options.routes ?? [])]), originValidator(config.allowedOrigins), authMiddleware(authenticate));
  let server: TidingsServer;
  const routes: HttpRoute[] = [
    ...opsRoutes({ metrics, draining: () => server.draining, checks: { layer: () => layer.state === 'ready', inbox: () => inbox.ping() } }),
    ...apiRoutes({ publisher, inbox, apiKey: config.apiKey, stats: () => ({ connections: server.connections, layer: layer.state, ...layer.stats }) }),
    ...meRoutes({ inbox, publisher, layer, verifier, cookieName: config.cookieName }),
    ...(config.demo ? demoRoutes({ publisher, verifier, jwtSecret: config.jwtSecret, cookieName: config.cookieName }) : []),
    ...(options.httpRoutes ?? []),
    ...(config.demo ? staticRoutes() : []),
  ];
  const clientAddress = clientAddressResolver({ enabled: config.proxyHeaders, trusted: config.trustedProxies });
  const http = createHttpHandler(routes, { log: log.child({ module: 'http' }), metrics, maxBodyBytes: config.maxBodyBytes, clientAddress });
  server = createServer({ websocket, http, layer, logger: log.child({ module: 'server' }), metrics, settings: config });
  let closing: Promise<void> | null = null;
  return {
    config,
    layer,
    inbox,
    publisher,
    server,
    metrics,
    notify: publisher.notify,
    broadcast: publisher.broadcast,
    markRead: publisher.markRead,
    markAllRead: publisher.markAllRead,
    unreadCount: (userId) => inbox.unreadCount(userId),
    list: (userId, query) => inbox.list(userId, query),
    token: (userId, ttlSeconds) => {
      if (!config.jwtSecret) return Promise.reject(new Error('token() needs an HS256 jwtSecret'));
      return signToken(config.jwtSecret, userId, { ttlSeconds: ttlSeconds ?? 3600, audience: config.jwtAudience, issuer: config.jwtIssuer });
    },
    listen: () => server.listen(),
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await tracked.idle();
        await layer.close();
        await inbox.close();
        const current = setChannelLayer(undefined);
        if (current !== layer) setChannelLayer(current);
      })()),
  };
}
