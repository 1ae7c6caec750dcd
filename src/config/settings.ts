/**
 * The table of settings: one row per setting, each available as a CLI flag (`--kebab-name`) and an
 * environment variable (`TIDINGS_SNAKE_NAME`). The README's configuration table is this table in prose.
 */
import { z } from 'zod';

const bool = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''])])
  .transform((v) => v === true || v === '1' || v === 'true' || v === 'yes' || v === 'on' || v === '');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const seconds = z.coerce.number().positive().max(86_400 * 365);
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s.length > 0));
const optionalString = z.string().min(1).optional();

/** One setting: its schema, default, secret-ness and a one-line description. */
export interface Setting {
  readonly schema: z.ZodType;
  readonly default?: unknown;
  readonly secret?: boolean;
  readonly doc: string;
}

export const SETTINGS = {
  env: { schema: z.enum(['development', 'production', 'test']), default: 'development', doc: 'development (demo, dev tokens, built-in dev secrets) or production (refuses to start without secrets)' },
  host: { schema: z.string().min(1), default: '127.0.0.1', doc: 'address to listen on' },
  port: { schema: int(0, 65535), default: 8006, doc: 'port for HTTP and WebSocket' },
  proxyHeaders: { schema: bool, default: false, doc: 'trust X-Forwarded-For / X-Real-IP from trusted proxies (loopback when trustedProxies is empty)' },
  trustedProxies: { schema: list, default: [], doc: 'comma-separated addresses or CIDRs of proxies whose X-Forwarded-For is honoured' },
  allowedOrigins: { schema: list, default: [], doc: 'comma-separated Origins allowed to open sockets and to call /v1/me/* (CORS with credentials); empty = same origin as the Host header; * = any (CORS without credentials)' },
  databaseUrl: { schema: z.string().min(1), default: 'sqlite:./data/tidings.db', doc: 'inbox database: sqlite:<path>, sqlite::memory: or postgres://…; its password is masked in output and logs' },
  redisUrl: { schema: optionalString, doc: 'Redis channel layer URL (redis://, rediss:// for TLS); unset = in-memory layer (one process); its password is masked in output and logs' },
  layer: { schema: z.enum(['memory', 'redis', 'channels-redis', 'channels-redis-pubsub']).optional(), doc: 'channel layer: memory, redis (Tidings\' own), channels-redis or channels-redis-pubsub (speak Django Channels\' channels_redis 4.x, to share groups with Django processes); unset = redis when redisUrl is set, else memory' },
  redisOptional: { schema: bool, default: false, doc: 'keep serving local groups if Redis is unreachable at start' },
  workers: { schema: int(1, 64), default: 1, doc: 'processes on one port (node:cluster); more than 1 requires redisUrl' },
  jwtSecret: { schema: optionalString, secret: true, doc: 'HS256 secret for connection tokens' },
  jwtPublicKey: { schema: optionalString, secret: false, doc: 'PEM public key (RS256/ES256) for connection tokens' },
  jwksUrl: { schema: z.string().url().optional(), doc: 'JWKS URL for connection tokens' },
  jwtAudience: { schema: optionalString, doc: 'required `aud` claim, if set' },
  jwtIssuer: { schema: optionalString, doc: 'required `iss` claim, if set' },
  jwtClockTolerance: { schema: int(0, 300), default: 5, doc: 'seconds of clock difference allowed when checking a token\'s `exp` and `nbf`' },
  tokenCacheSize: { schema: int(0, 10_000_000), default: 50_000, doc: 'valid tokens remembered so a reconnecting client\'s token is verified once (secret or public key only; about 300 bytes each; 0: off)' },
  cookieName: { schema: z.string().min(1), default: 'tidings_token', doc: 'cookie carrying the connection token' },
  apiKey: { schema: optionalString, secret: true, doc: 'Bearer key for the publish/read HTTP API' },
  allowAnonymous: { schema: bool, default: false, doc: 'let connections without a token receive site-wide messages' },
  logLevel: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'log level' },
  maxPayload: { schema: int(128, 16 * 1024 * 1024), default: 65_536, doc: 'largest incoming WebSocket message in bytes (larger: close 1009); 128 to 16 MiB' },
  maxBodyBytes: { schema: int(1024, 16 * 1024 * 1024), default: 262_144, doc: 'largest HTTP request body in bytes (larger: 413); 1024 to 16 MiB' },
  pingInterval: { schema: seconds, default: 25, doc: 'seconds between server pings; a peer that misses its pong is closed' },
  maxBufferedBytes: { schema: int(1024, 1024 * 1024 * 1024), default: 1_048_576, doc: 'unsent bytes per socket before it is closed with 4002 (past half of it, notifications wait in the inbox); at least 1024' },
  perMessageDeflate: { schema: bool, default: false, doc: 'enable permessage-deflate compression' },
  shutdownTimeout: { schema: seconds, default: 10, doc: 'seconds to drain connections on SIGTERM before exiting' },
  replayLimit: { schema: int(1, 100_000), default: 1000, doc: 'most notifications replayed on resume; older gaps report recovered:false' },
  capacity: { schema: int(1, 1_000_000), default: 100, doc: 'channel layer: undelivered messages per channel (a connection whose channel is full is told, and re-reads its inbox)' },
  expiry: { schema: seconds, default: 60, doc: 'channel layer: seconds an undelivered message lives' },
  groupExpiry: { schema: seconds, default: 86_400, doc: 'channel layer: seconds a group membership lives while nobody receives its channel (an open connection keeps its groups)' },
  layerPrefix: { schema: z.string().regex(/^[A-Za-z0-9_.-]{1,40}$/).optional(), doc: 'channel layer key prefix; unset = tidings, or asgi (channels_redis\' default) for the channels-redis layers' },
  maxConnectionsPerUser: { schema: int(1, 100_000), default: 20, doc: 'open sockets per user; more are refused with 429' },
  maxConnectionsPerIp: { schema: int(0, 1_000_000), default: 0, doc: 'open sockets per client address (after proxy headers); more are refused with 429; 0 = no limit' },
  messageRate: { schema: int(1, 100_000), default: 50, doc: 'client frames per second per socket (burst 2x); excess closes with 4029' },
  metricsPort: { schema: int(0, 65535).optional(), doc: 'serve /metrics on this separate port too' },
  demo: { schema: bool.optional(), doc: 'serve the demo site at / (default: on in development)' },
  handshakeTimeout: { schema: seconds, default: 10, doc: 'seconds allowed for the HTTP request headers (slowloris guard)' },
  escalateAfter: { schema: seconds.optional(), doc: 'escalate a notification still unread and not shown on a visible tab this many seconds after it was stored (webhook, email, Web Push); unset = off' },
  webhookUrl: { schema: z.string().url().optional(), doc: 'escalation webhook: POST signed `notification.unseen` events here (needs webhookSecret)' },
  webhookSecret: { schema: optionalString, secret: true, doc: 'HMAC-SHA256 key of the `Tidings-Signature` header of webhook posts' },
  webhookPresence: { schema: bool, default: false, doc: 'also post `user.online` / `user.offline` to the webhook, 5 s after the last connection change (a reload is not an offline-online pair)' },
  smtpUrl: { schema: optionalString, secret: true, doc: 'escalation email: SMTP server URL (smtp://user:pass@host:587, smtps://…); needs emailFrom' },
  emailFrom: { schema: optionalString, doc: 'From address of escalation emails' },
  templatesDir: { schema: optionalString, doc: 'directory of email templates, `<kind>.html` or `default.html`, with `{{data.x}}` placeholders' },
  vapidPublicKey: { schema: optionalString, doc: 'Web Push: VAPID public key (base64url; `tidings vapid` makes a pair)' },
  vapidPrivateKey: { schema: optionalString, secret: true, doc: 'Web Push: VAPID private key (base64url)' },
  vapidSubject: { schema: optionalString, doc: 'Web Push: contact of the sender, mailto: or https: URL' },
} as const satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

/** `redisUrl` -> `TIDINGS_REDIS_URL`. */
export function envName(name: string): string {
  return `TIDINGS_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

/** `redisUrl` -> `redis-url`. */
export function flagName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
