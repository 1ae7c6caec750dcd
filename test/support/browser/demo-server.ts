/**
 * The real Tidings server for browser tests: `node dist/cli.js serve` as a child process on 127.0.0.1, port 0
 * (or a fixed port for a restart), a temporary SQLite file, development mode (demo site, dev tokens) with an
 * API key and JWT secret of its own. The port is read from the pino `listening` line on stdout.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import { OutputLog } from '../output-log.js';
import { CLI, ROOT, childEnv } from '../process.js';
import { startTestServer, type TestServer } from '../../../src/testing/index.js';
import { startServe } from '../tidings.js';
import { launchChromium } from './browser.js';

const BUNDLE = join(ROOT, 'public/static/tidings-bell.js');
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** Options of {@link startTidings}. */
export interface TidingsOptions {
  /** `--allowed-origins` (default: none, i.e. same origin only). */
  allowedOrigins?: string;
  /** `TIDINGS_ENV=production`: no demo site, no dev tokens (mint tokens with {@link TidingsProcess.jwtSecret}). */
  production?: boolean;
}

/** A running (or killed) Tidings child process. */
export interface TidingsProcess {
  /** `http://127.0.0.1:<port>`: stays the same across {@link restart}. */
  readonly url: string;
  readonly port: number;
  /** The API key the server was started with. */
  readonly apiKey: string;
  /** The HS256 secret the server verifies connection tokens with (what an app's token endpoint signs with). */
  readonly jwtSecret: string;
  /** Every stdout/stderr line so far, across restarts (pino JSON). */
  readonly logs: readonly string[];
  /** A dev token for `user` from `POST /demo/api/token`. */
  token(user: string): Promise<string>;
  /** POST JSON with the API key; resolves with the status and parsed body. */
  api(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  /** Start again on the same port and database; resolves once it listens. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after a timeout), then remove the database. */
  stop(): Promise<void>;
}

/** Fails with a clear message when the build the tests drive is missing. */
function checkBuilt(): void {
  for (const file of [CLI, BUNDLE]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before the e2e tests`);
  }
}

/** Starts `tidings serve` and resolves once it listens. */
export async function startTidings(options: TidingsOptions = {}): Promise<TidingsProcess> {
  checkBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'tidings-e2e-'));
  const apiKey = `e2e-${randomBytes(12).toString('hex')}`;
  const jwtSecret = randomBytes(24).toString('hex');
  const env = childEnv({ TIDINGS_ENV: options.production ? 'production' : 'development', TIDINGS_DEMO: options.production ? 'false' : 'true', TIDINGS_API_KEY: apiKey, TIDINGS_JWT_SECRET: jwtSecret });
  const log = new OutputLog();
  const args = (port: number): string[] => [
    '--host', '127.0.0.1', '--port', String(port), '--database-url', `sqlite:${join(dir, 'inbox.db')}`, '--log-level', 'info',
    ...(options.allowedOrigins ? ['--allowed-origins', options.allowedOrigins] : []),
  ];
  const start = (port: number) => startServe({ cli: 'dist', args: args(port), env, log, timeoutMs: START_TIMEOUT_MS });
  let current = await start(0);
  const port = current.port;
  const url = `http://127.0.0.1:${port}`;
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json().catch(() => null)) as unknown };
  };
  return {
    url,
    port,
    apiKey,
    jwtSecret,
    logs: log.lines,
    async token(user) {
      const { status, body } = await post('/demo/api/token', { user });
      const token = (body as { token?: unknown } | null)?.token;
      if (status !== 200 || typeof token !== 'string') throw new Error(`no dev token for ${user}: ${status} ${JSON.stringify(body)}`);
      return token;
    },
    api: (path, body) => post(path, body, { authorization: `Bearer ${apiKey}` }),
    async kill() {
      await current.kill();
    },
    async restart() {
      current = await start(port);
    },
    async stop() {
      await current.stop('SIGTERM', STOP_TIMEOUT_MS).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * In a `describe`: start the demo server and Chromium before its tests (then `setup`, e.g. to keep them
 * and seed notifications), and close both after them.
 */
export function withDemo(setup: (srv: TidingsProcess, browser: Browser) => void | Promise<void>, options: TidingsOptions = {}): void {
  let srv: TidingsProcess | undefined;
  let browser: Browser | undefined;
  before(async () => {
    // Both started at once; whichever started is closed after, even when the other failed.
    const [server, chromium] = await Promise.allSettled([startTidings(options), launchChromium()]);
    if (server.status === 'fulfilled') srv = server.value;
    if (chromium.status === 'fulfilled') browser = chromium.value;
    if (server.status === 'rejected') throw server.reason;
    if (chromium.status === 'rejected') throw chromium.reason;
    await setup(server.value, chromium.value);
  });
  after(async () => {
    await browser?.close();
    await srv?.stop();
  });
}

/**
 * At a file's top level: the demo in-process (`startTestServer` with the demo on and `settings`) and
 * Chromium before the tests, unless `skip`; both closed after them. `setup` receives them.
 */
export function withInProcessDemo(skip: string | undefined, settings: Record<string, unknown>, setup: (srv: TestServer, browser: Browser) => void): void {
  let srv: TestServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    if (skip) return;
    browser = await launchChromium();
    srv = await startTestServer({ settings: { demo: true, ...settings } });
    setup(srv, browser);
  });
  after(async () => {
    await browser?.close();
    await srv?.close();
  });
}
