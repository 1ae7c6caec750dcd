/**
 * src/reach: reaching people who are not looking. Presence (who has a tab open), per-kind channel
 * preferences, and escalation of notifications left unseen to a webhook, email and Web Push. Everything
 * durable lives in the inbox database (migration 3 of src/inbox); nothing is stored elsewhere.
 *
 * `createReach` builds it from the configuration; `createTidings` wires its observer into `/inform/` and
 * its routes into the HTTP API.
 */
import type { Config } from '../config/index.js';
import { TidingsError } from '../errors.js';
import type { HttpRoute } from '../http/index.js';
import { PostgresInboxStore, SqliteInboxStore, type InboxStore } from '../inbox/index.js';
import type { Logger } from '../log/index.js';
import type { Metrics } from '../metrics/index.js';
import type { TokenVerifier } from '../auth/index.js';
import type { ConnectionObserver } from '../notify/index.js';
import { emailChannel } from './channels/email.js';
import { pushChannel } from './channels/push.js';
import type { ChannelSender } from './channels/types.js';
import { postSigned, webhookChannel } from './channels/webhook.js';
import { PresenceEvents } from './presence-events.js';
import { Escalator, type EscalatorOptions } from './escalator.js';
import { createReachMetrics } from './metrics.js';
import { MemoryPresence, type PresenceStore } from './presence.js';
import { createRedisPresence } from './presence-redis.js';
import { reachRoutes, type ReachRouteDeps } from './routes.js';
import { PostgresReachStore } from './store-postgres.js';
import { SqliteReachStore } from './store-sqlite.js';
import type { ReachStore } from './store.js';
import { ReachObserver } from './tracker.js';

export * from './preferences.js';
export type * from './store.js';
export type { Presence, PresenceStore } from './presence.js';
export { MemoryPresence } from './presence.js';
export { RedisPresence, createRedisPresence } from './presence-redis.js';
export { SqliteReachStore } from './store-sqlite.js';
export { PostgresReachStore } from './store-postgres.js';
export { Escalator, defaultBackoff, planner, type EscalatorOptions } from './escalator.js';
export { webhookSignature, webhookBody } from './channels/webhook.js';
export { composeEmail } from './channels/email.js';
export { Templates, render, escapeHtml, DEFAULT_TEMPLATE } from './channels/templates.js';
export { pushPayload, generateVapidKeys } from './channels/push.js';
export type { ChannelSender, SendResult } from './channels/types.js';
export { ReachObserver } from './tracker.js';
export { reachDemoRoutes } from './demo-routes.js';

/** Whether `inbox` is a built-in store, whose database can hold the reach tables. */
export function supportsReach(inbox: InboxStore): boolean {
  return inbox instanceof SqliteInboxStore || inbox instanceof PostgresInboxStore;
}

/**
 * The reach tables of the database `inbox` uses.
 * @throws TidingsError CONFIG_INVALID for an inbox of another kind (one built by the application).
 */
export function reachStoreFor(inbox: InboxStore): ReachStore {
  if (inbox instanceof SqliteInboxStore) return new SqliteReachStore(inbox.database);
  if (inbox instanceof PostgresInboxStore) return new PostgresReachStore(inbox.database, inbox.schema);
  throw new TidingsError('CONFIG_INVALID', 'presence, preferences and escalation need the built-in SQLite or PostgreSQL inbox');
}

/** What {@link createReach} needs. */
export interface ReachDeps {
  config: Config;
  inbox: InboxStore;
  metrics: Metrics;
  log: Logger;
  /** Verifies user tokens on the `/v1/me/…` routes and on presence reads. */
  verifier: TokenVerifier | null;
  /** The socket authenticator, when the app brought its own. */
  authenticate?: ReachRouteDeps['authenticate'];
  /** Test and bench overrides of timings. */
  timings?: ReachTimings;
}

/** Timings of the escalator and of presence (tests, benchmarks). */
export type ReachTimings = Partial<Pick<EscalatorOptions, 'pollMs' | 'leaseMs' | 'retryWindowMs' | 'backoffMs' | 'batch'>> & {
  /** Seconds a Redis presence entry lives without renewal (default 30). */
  presenceTtl?: number;
  /** Milliseconds from a connection change to the `user.online`/`user.offline` look (default 5000). */
  presenceDebounceMs?: number;
};

/** The built reach service. */
export interface Reach {
  readonly store: ReachStore;
  readonly presence: PresenceStore;
  readonly observer: ConnectionObserver;
  /** Null when escalation is off. */
  readonly escalator: Escalator | null;
  readonly routes: HttpRoute[];
  /** Start escalating (when on). */
  start(): void;
  /** Stop timers, finish sends in flight, drop this process's presence entries. */
  close(): Promise<void>;
}

function channelsOf(config: Config, store: ReachStore, log: Logger): (ChannelSender & { close?(): void })[] {
  const out: (ChannelSender & { close?(): void })[] = [];
  if (config.webhookUrl && config.webhookSecret) out.push(webhookChannel({ url: config.webhookUrl, secret: config.webhookSecret, log }));
  if (config.smtpUrl && config.emailFrom) out.push(emailChannel({ smtpUrl: config.smtpUrl, from: config.emailFrom, templatesDir: config.templatesDir, log }));
  if (config.vapidPublicKey && config.vapidPrivateKey && config.vapidSubject) {
    out.push(pushChannel({ publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey, subject: config.vapidSubject, store, log }));
  }
  return out;
}

/** `user.online` / `user.offline` events, when `webhookPresence` and the webhook are configured. */
function presenceEventsFor(config: Config, presence: PresenceStore, log: Logger, ttl?: number, debounceMs?: number): PresenceEvents | undefined {
  const { webhookUrl: url, webhookSecret: secret } = config;
  if (!config.webhookPresence || !url || !secret) return undefined;
  const post = (body: string, id: string) => postSigned({ url, secret, log }, body, id);
  return new PresenceEvents({ presence, post, log, ...(debounceMs === undefined ? {} : { debounceMs }), sweepMs: (ttl ?? 30) * 1000 });
}

/**
 * Build presence (Redis when `redisUrl` is set, else this process only), the routes, and with
 * `escalateAfter` the schedule trigger and the escalator (call `start()`).
 * @throws TidingsError LAYER_UNAVAILABLE (Redis), INBOX_UNAVAILABLE (installing the schedule), CONFIG_INVALID.
 */
export async function createReach(deps: ReachDeps): Promise<Reach> {
  const { config, metrics } = deps;
  const log = deps.log.child({ module: 'reach' });
  const store = reachStoreFor(deps.inbox);
  const { presenceTtl, presenceDebounceMs, ...escalatorTimings } = deps.timings ?? {};
  const presence: PresenceStore = config.redisUrl
    ? await createRedisPresence({ url: config.redisUrl, prefix: config.layerPrefix ?? 'tidings', logger: log, ...(presenceTtl === undefined ? {} : { ttl: presenceTtl }) })
    : new MemoryPresence();
  const events = presenceEventsFor(config, presence, log, presenceTtl, presenceDebounceMs);
  const escalating = config.escalateAfter !== undefined;
  if (escalating) await store.installSchedule();
  const observer = new ReachObserver({ presence, store: escalating ? store : undefined, events, log });
  const channels = escalating ? channelsOf(config, store, log) : [];
  const escalator = escalating
    ? new Escalator({ store, after: config.escalateAfter!, channels, metrics: createReachMetrics(metrics), log, ...escalatorTimings })
    : null;
  const routes = reachRoutes({ store, presence, apiKey: config.apiKey, verifier: deps.verifier, cookieName: config.cookieName, ...(deps.authenticate ? { authenticate: deps.authenticate } : {}), vapidPublicKey: config.vapidPublicKey });
  return {
    store,
    presence,
    observer,
    escalator,
    routes,
    start: () => escalator?.start(),
    async close() {
      await escalator?.close();
      await observer.close();
      await events?.close();
      for (const c of channels) c.close?.();
      await presence.close();
    },
  };
}
