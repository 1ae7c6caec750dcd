/**
 * Target `tidings`: the product, started from the built CLI (`node dist/cli.js serve`) or, for the SDK
 * path, from tidings-sdk-server.ts (server and in-process publisher in one child). Subscribers are
 * authenticated `/inform/` sockets (an HS256 token per user), so each joins its personal and the site-wide
 * group, exactly as in production.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledScript } from '../lib/bundle.js';
import { startOnFreePort, startServerChild, type ServerChild } from '../lib/child.js';
import { tokenCache } from '../lib/jwt.js';
import { HttpClient } from '../load/publisher.js';
import { sdkRequester } from './sdk-ipc.js';
import type { ServerCounters, StartOptions, Target, TargetInstance } from './types.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');
const SDK_SERVER = fileURLToPath(new URL('./tidings-sdk-server.ts', import.meta.url));

/** Settings every benchmark instance gets: quiet logs, no per-address connection cap (all from 127.0.0.1). */
function baseEnv(options: StartOptions, dir: string, secrets: { jwt: string; apiKey: string }): Record<string, string> {
  const env: Record<string, string> = {
    TIDINGS_ENV: 'production',
    TIDINGS_LOG_LEVEL: 'warn',
    TIDINGS_JWT_SECRET: secrets.jwt,
    TIDINGS_API_KEY: secrets.apiKey,
    TIDINGS_DATABASE_URL: options.database === 'postgres' && options.postgresUrl ? options.postgresUrl : `sqlite:${join(dir, 'inbox.db')}`,
    TIDINGS_MAX_CONNECTIONS_PER_IP: '1000000',
    TIDINGS_DEMO: 'false',
  };
  if (options.redisUrl) {
    env.TIDINGS_REDIS_URL = options.redisUrl;
    env.TIDINGS_LAYER_PREFIX = options.namespace ?? 'bench';
  }
  return env;
}

/**
 * Values of one counter in a Prometheus text page, by the value of one label:
 * `metricByLabel(page, 'tidings_drops_total', 'reason')` -> `{ slow_client: 1, … }`.
 */
export function metricByLabel(page: string, name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  const pattern = new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"[^}]*\\}\\s+(\\S+)`, 'gm');
  for (const match of page.matchAll(pattern)) if (match[1] !== undefined) out[match[1]] = Number(match[2]);
  return out;
}

async function serverCounters(port: number): Promise<ServerCounters | null> {
  const http = new HttpClient(port, 1);
  try {
    const res = await http.send({ method: 'GET', path: '/metrics' }, 10_000);
    if (res.status !== 200) return null;
    return {
      drops: metricByLabel(res.body, 'tidings_drops_total', 'reason'),
      closes: metricByLabel(res.body, 'tidings_connections_closed_total', 'code'),
    };
  } finally {
    http.close();
  }
}

/**
 * Read a poll response. Accepted shapes: `{"notifications":[…],"seq":n}` or `{"items":[…]}`; the cursor is
 * `seq` when present, else the largest item seq.
 */
export function parsePollBody(body: string): { count: number; seq: number } {
  const parsed = JSON.parse(body) as { notifications?: Array<{ seq?: number }>; items?: Array<{ seq?: number }>; seq?: number };
  const items = parsed.notifications ?? parsed.items ?? [];
  const maxSeq = items.reduce((max, item) => Math.max(max, item.seq ?? 0), 0);
  return { count: items.length, seq: typeof parsed.seq === 'number' ? Math.max(parsed.seq, maxSeq) : maxSeq };
}

function instance(child: ServerChild, dir: string, secrets: { jwt: string; apiKey: string }): TargetInstance {
  const api = { authorization: `Bearer ${secrets.apiKey}` };
  const token = tokenCache(secrets.jwt);
  const sdk = child.process.channel ? sdkRequester(child.process) : undefined;
  return {
    pids: [child.pid],
    port: child.port,
    readyFrame: '"type":"hello"',
    subscriberPath: (user) => `/inform/?token=${token(user)}`,
    reconnectPath: (user, since) => `/inform/?token=${token(user)}&since=${since}`,
    reconnectReadyFrame: '"type":"resumed"',
    broadcastRequest: (data) => ({ method: 'POST', path: '/v1/broadcasts', headers: api, body: JSON.stringify({ kind: 'bench', data }) }),
    notifyRequest: (user, data) => ({
      method: 'POST',
      path: '/v1/notifications',
      headers: api,
      body: JSON.stringify({ to: user, kind: 'bench', data }),
    }),
    pollRequest: (user, since, wait) => ({
      method: 'GET',
      path: `/v1/me/poll?since=${since}&wait=${wait}`,
      headers: { authorization: `Bearer ${token(user)}` },
    }),
    parsePoll: parsePollBody,
    serverCounters: () => serverCounters(child.port),
    sdkPublish: sdk,
    async stop() {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The product. Unavailable until `npm run build` produced dist/cli.js. */
export const tidingsTarget: Target = {
  name: 'tidings',
  title: 'Tidings (/inform/ + HTTP API)',
  capabilities: new Set(['broadcast', 'notify', 'sdk', 'poll', 'redis', 'postgres', 'reconnect']),
  unavailableReason: () => (existsSync(CLI) ? null : 'dist/cli.js missing (run npm run build)'),
  async start(options: StartOptions = {}): Promise<TargetInstance> {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-'));
    const secrets = { jwt: randomBytes(24).toString('hex'), apiKey: randomBytes(24).toString('hex') };
    const env = baseEnv(options, dir, secrets);
    const sdkScript = options.sdk ? await compiledScript(SDK_SERVER) : null;
    const args = (port: number): string[] =>
      sdkScript
        ? [sdkScript, '--port', String(port), '--dist', join(ROOT, 'dist', 'index.js')]
        : [CLI, 'serve', '--host', '127.0.0.1', '--port', String(port)];
    try {
      const child = await startOnFreePort((port) =>
        startServerChild({ args: args(port), port, env, ipc: sdkScript !== null, cwd: ROOT, label: 'tidings' }),
      );
      return instance(child, dir, secrets);
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      throw err;
    }
  },
};
