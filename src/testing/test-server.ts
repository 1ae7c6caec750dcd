/**
 * Servers for tests, listening on 127.0.0.1 port 0: `startTestServer()` runs the whole service (in-memory
 * layer, `:memory:` SQLite, test secrets) and `startAppServer(app)` serves any WebSocket application.
 */
import type { SocketApp } from '../consumer/index.js';
import { createMemoryChannelLayer, type ChannelLayer } from '../layer/index.js';
import { createServer, type TidingsServer } from '../server/index.js';
import { createTidings, type Tidings, type TidingsOptions } from '../tidings.js';
import type { NotifyInput } from '../notify/index.js';
import { TestSocket } from './ws-client.js';

export const TEST_JWT_SECRET = 'test-secret-with-enough-length-for-hs256';
export const TEST_API_KEY = 'test-api-key';

export interface TestServer {
  readonly tidings: Tidings;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port><path>` */
  wsUrl(path: string): string;
  /** Connect as `user` (a token is signed for it) or anonymously; `since` resumes. */
  connect(path?: string, options?: { user?: string; token?: string; since?: number; headers?: Record<string, string> }): Promise<TestSocket>;
  /** Publish a notification to `user` through the SDK. */
  notify(user: string, input: Omit<NotifyInput, 'to'>): Promise<void>;
  /** An HTTP request with the test API key. */
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/** Start the full service on a free port. `settings` override the test defaults. */
export async function startTestServer(options: TidingsOptions = {}): Promise<TestServer> {
  const tidings = await createTidings({
    ...options,
    config: options.config,
    settings: { host: '127.0.0.1', port: 0, databaseUrl: 'sqlite::memory:', jwtSecret: TEST_JWT_SECRET, apiKey: TEST_API_KEY, demo: false, env: 'test', ...options.settings },
  });
  await tidings.listen();
  const url = tidings.server.url;
  const wsUrl = (path: string) => url.replace(/^http/, 'ws') + path;
  return {
    tidings,
    url,
    wsUrl,
    async connect(path = '/inform/', o = {}) {
      const token = o.token ?? (o.user !== undefined ? await tidings.token(o.user) : undefined);
      const q = new URLSearchParams();
      if (token) q.set('token', token);
      if (o.since !== undefined) q.set('since', String(o.since));
      const qs = q.toString();
      return TestSocket.open(wsUrl(qs ? `${path}?${qs}` : path), { headers: o.headers ?? {} });
    },
    async notify(user, input) {
      await tidings.notify({ ...input, to: user });
    },
    api(path, init = {}) {
      return fetch(url + path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        ...(init.body === undefined ? {} : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      });
    },
    close: () => tidings.close(),
  };
}

export interface AppServer {
  readonly server: TidingsServer;
  readonly layer: ChannelLayer;
  readonly url: string;
  wsUrl(path: string): string;
  connect(path: string, options?: { headers?: Record<string, string> }): Promise<TestSocket>;
  close(): Promise<void>;
}

/** Serve a WebSocket application on a free port with its own memory layer (or the one given). */
export async function startAppServer(app: SocketApp, options: { layer?: ChannelLayer; settings?: Parameters<typeof createServer>[0]['settings'] } = {}): Promise<AppServer> {
  const layer = options.layer ?? createMemoryChannelLayer();
  const server = createServer({ websocket: app, layer, settings: { host: '127.0.0.1', port: 0, ...options.settings } });
  await server.listen();
  const wsUrl = (path: string) => server.url.replace(/^http/, 'ws') + path;
  return {
    server,
    layer,
    url: server.url,
    wsUrl,
    connect: (path, o = {}) => TestSocket.open(wsUrl(path), { headers: o.headers ?? {} }),
    close: async () => {
      await server.close();
      if (!options.layer) await layer.close();
    },
  };
}
