/**
 * `createTidings`: the whole notification service in one object — channel layer, inbox, publisher, the
 * `/inform/` endpoint, the HTTP API and the server — built from a configuration. `main.ts` runs it with
 * signals; an application can embed it (or use it only to publish, without listening).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEV_JWT_SECRET, configFromSettings, type Config } from './config/index.js';
import { TidingsError } from './errors.js';
import { authMiddleware, originValidator, route, stack, urlRouter, type Authenticator, type Route, type SocketApp } from './consumer/index.js';
import { apiRoutes, bundleRoutes, createHttpHandler, demoRoutes, meRoutes, opsRoutes, staticRoutes, withCors, type HttpRoute } from './http/index.js';
import { createInboxStore, type InboxStore, type ListQuery, type Notification, type Page } from './inbox/index.js';
import { createChannelLayer, setChannelLayer, type ChannelLayer } from './layer/index.js';
import { silentLogger, type Logger } from './log/index.js';
import { createMetrics, type Metrics } from './metrics/index.js';
import { createTokenVerifier, jwtAuthenticator, signToken, type TokenVerifier } from './auth/index.js';
import { PollWaiters, createPublisher, notificationApp, type Publisher } from './notify/index.js';
import { createReach, reachDemoRoutes, supportsReach, type Reach, type ReachTimings } from './reach/index.js';
import { clientAddressResolver, createOpsServer, createServer, type OpsServer, type TidingsServer } from './server/index.js';


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
  /** Escalation and presence timings (tests, benchmarks): poll interval, lease, retry window, backoff, batch size, presence ttl and debounce. */
  reach?: ReachTimings;
}

export interface Tidings {
  readonly config: Config;
  readonly layer: ChannelLayer;
  readonly inbox: InboxStore;
  readonly publisher: Publisher;
  readonly server: TidingsServer;
  readonly metrics: Metrics;
  /** Presence, preferences and escalation (null with an inbox that is not a built-in store). */
  readonly reach: Reach | null;
  notify: Publisher['notify'];
  broadcast: Publisher['broadcast'];
  markRead: Publisher['markRead'];
  markAllRead: Publisher['markAllRead'];
  /** Show read notifications unread again; every tab gets the count. */
  markUnread: Publisher['markUnread'];
  /** Archive notifications (out of every list; an unread one counts as read); every tab gets the count. */
  archive: Publisher['archive'];
  /** Archive every read notification of a user. */
  archiveRead: Publisher['archiveRead'];
  unreadCount(userId: string): Promise<number>;
  list(userId: string, query?: ListQuery): Promise<Page<Notification>>;
  /** Sign a connection token for `userId` with the configured HS256 secret (development, tests). */
  token(userId: string, ttlSeconds?: number): Promise<string>;
  /** The separate operations listener (`/metrics`, `/healthz`, `/readyz`), when `metricsPort` is set. */
  readonly metricsServer: Server | null;
  /** Start serving HTTP and WebSocket (and the operations port, when `metricsPort` is set). */
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
    clockTolerance: config.jwtClockTolerance,
    issuer: config.jwtIssuer,
    cacheSize: config.tokenCacheSize,
  });
}

/** The configuration of `options`: `config` as given, else {@link configFromSettings} of `settings`. */
export function resolveConfig(options: Pick<TidingsOptions, 'config' | 'settings'>): Config {
  return options.config ?? configFromSettings(options.settings ?? {});
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
    publisher: {
      notify: track(publisher.notify),
      broadcast: track(publisher.broadcast),
      markRead: track(publisher.markRead),
      markAllRead: track(publisher.markAllRead),
      markUnread: track(publisher.markUnread),
      archive: track(publisher.archive),
      archiveRead: track(publisher.archiveRead),
    },
    idle: async () => {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** Feed the layer's own counters into the Prometheus counters at scrape time (nothing on the hot path). */
function trackLayer(metrics: Metrics, layer: ChannelLayer): void {
  metrics.track(metrics.deliveries, () => layer.stats.delivered);
  metrics.track(metrics.drops, () => layer.stats.droppedFull, { reason: 'channel_full' });
  metrics.track(metrics.drops, () => layer.stats.droppedExpired, { reason: 'expired' });
}

/** Numbers for `GET /v1/stats`. */
function statsOf(server: TidingsServer, layer: ChannelLayer, startedAt: number, polls: PollWaiters): Record<string, unknown> {
  return {
    connections: server.connections,
    pollWaiters: polls.total,
    draining: server.draining,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    framesIn: server.frames.in,
    framesOut: server.frames.out,
    layer: layer.state,
    ...layer.stats,
  };
}

/** Reach needs the built-in inbox; with another one it is off (and escalation refuses to start). */
async function reachFor(options: TidingsOptions, deps: Parameters<typeof createReach>[0]): Promise<Reach | null> {
  if (supportsReach(deps.inbox)) return createReach({ ...deps, ...(options.reach ? { timings: options.reach } : {}) });
  if (deps.config.escalateAfter !== undefined) throw new TidingsError('CONFIG_INVALID', 'escalateAfter needs the built-in SQLite or PostgreSQL inbox');
  return null;
}

/** Say at start what a deployment must not run with by mistake: the public development secrets, the demo. */
function announceRisks(config: Config, log: Logger): void {
  if (config.devSecrets) log.warn('using built-in development secrets: set TIDINGS_JWT_SECRET and TIDINGS_API_KEY for production');
  if (config.demo && config.jwtSecret !== DEV_JWT_SECRET) {
    log.warn('demo enabled with your own token secret: anyone can sign in as alice, bob or carol; unset TIDINGS_DEMO in production');
  } else if (config.demo) {
    log.info('demo enabled (development secret): anyone can sign in as alice, bob or carol');
  }
}

/** Build the service. Connects to Redis and the database (running migrations) before resolving. */
export async function createTidings(options: TidingsOptions = {}): Promise<Tidings> {
  const config = resolveConfig(options);
  const log = options.logger ?? silentLogger();
  announceRisks(config, log);
  const metrics = createMetrics();
  const layer =
    options.layer ??
    (await createChannelLayer({
      kind: config.layer,
      redisUrl: config.redisUrl,
      redisOptional: config.redisOptional,
      capacity: config.capacity,
      expiry: config.expiry,
      groupExpiry: config.groupExpiry,
      prefix: config.layerPrefix,
      logger: log.child({ module: 'layer' }),
    }));
  // The store names its own module (and backend) in its child logger.
  const inbox = options.inbox ?? (await createInboxStore(config.databaseUrl, { logger: log }));
  setChannelLayer(layer);
  trackLayer(metrics, layer);
  const startedAt = Date.now();
  const pollWaiters = new PollWaiters();
  const verifier = verifierFor(config);
  const tracked = trackInFlight(createPublisher({ inbox, layer, log: log.child({ module: 'publisher' }), metrics }));
  const publisher = tracked.publisher;
  // Without a verifier every socket is anonymous, which /inform/ refuses unless allowAnonymous.
  const authenticate = options.authenticate ?? (verifier ? jwtAuthenticator(verifier, config) : () => null);
  // HTTP routes authenticate a user exactly like the socket when the app brought its own authenticator.
  const userAuth = options.authenticate ? { authenticate: options.authenticate } : {};
  const reach = await reachFor(options, { config, inbox, metrics, log, verifier, ...userAuth });
  const observer = reach?.observer;
  const inform = notificationApp({ inbox, publisher, verifier, settings: config, layer, log: log.child({ module: 'inform' }), ...(observer ? { observer } : {}) });
  // Routing first: an unknown path is refused with 404 before the upgrade, whatever its credentials.
  const guard = (app: SocketApp): SocketApp => stack(app, originValidator(config.allowedOrigins), authMiddleware(authenticate, { refuseWith: 'close' }));
  const websocket = urlRouter([route('/inform/', inform), ...(options.routes ?? [])].map((r) => route(r.pattern, guard(r.app))));
  let server: TidingsServer;
  const ops = opsRoutes({ metrics, draining: () => server.draining, checks: { layer: () => layer.state === 'ready', inbox: () => inbox.ping() } });
  const routes: HttpRoute[] = [
    ...ops,
    ...apiRoutes({ publisher, inbox, apiKey: config.apiKey, verifier, cookieName: config.cookieName, ...userAuth, stats: () => statsOf(server, layer, startedAt, pollWaiters) }),
    ...meRoutes({ inbox, publisher, layer, verifier, cookieName: config.cookieName, ...userAuth, pollWaiters, pollLimits: { perUser: config.maxConnectionsPerUser, perIp: config.maxConnectionsPerIp } }),
    ...(reach?.routes ?? []),
    ...(config.demo ? reachDemoRoutes(config.webhookSecret, config.webhookUrl) : []),
    ...bundleRoutes(),
    ...(config.demo ? demoRoutes({ publisher, verifier, jwtSecret: config.jwtSecret, cookieName: config.cookieName }) : []),
    ...(options.httpRoutes ?? []),
    ...(config.demo ? staticRoutes() : []),
  ];
  const clientAddress = clientAddressResolver({ enabled: config.proxyHeaders, trusted: config.trustedProxies });
  const http = withCors(createHttpHandler(routes, { log: log.child({ module: 'http' }), metrics, maxBodyBytes: config.maxBodyBytes, clientAddress }), { allowedOrigins: config.allowedOrigins });
  server = createServer({ websocket, http, layer, logger: log.child({ module: 'server' }), metrics, settings: config });
  const opsServer: OpsServer | null =
    config.metricsPort === undefined
      ? null
      : createOpsServer(createHttpHandler(ops, { log: log.child({ module: 'ops' }), maxBodyBytes: 1024, clientAddress }), { host: config.host, port: config.metricsPort });
  let closing: Promise<void> | null = null;
  reach?.start();
  return {
    config,
    layer,
    inbox,
    publisher,
    server,
    metrics,
    reach,
    notify: publisher.notify,
    broadcast: publisher.broadcast,
    markRead: publisher.markRead,
    markAllRead: publisher.markAllRead,
    markUnread: publisher.markUnread,
    archive: publisher.archive,
    archiveRead: publisher.archiveRead,
    unreadCount: (userId) => inbox.unreadCount(userId),
    list: (userId, query) => inbox.list(userId, query),
    token: (userId, ttlSeconds) => {
      if (!config.jwtSecret) return Promise.reject(new Error('token() needs an HS256 jwtSecret'));
      return signToken(config.jwtSecret, userId, { ttlSeconds: ttlSeconds ?? 3600, audience: config.jwtAudience, issuer: config.jwtIssuer });
    },
    metricsServer: opsServer?.httpServer ?? null,
    listen: async () => {
      const address = await server.listen();
      await opsServer?.listen();
      return address;
    },
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await tracked.idle();
        await reach?.close();
        await layer.close();
        await inbox.close();
        // The operations port answers (readiness 503) through the drain, then closes last.
        await opsServer?.close();
        const current = setChannelLayer(undefined);
        if (current !== layer) setChannelLayer(current);
      })()),
  };
}
