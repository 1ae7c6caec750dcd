/**
 * Shared by the notification service's integration tests: PostgreSQL at TIDINGS_TEST_DATABASE_URL (a fresh
 * schema or database per test, dropped afterwards), frame helpers that await events with timeouts, and
 * `tidings` child processes: src/cli.ts bundled with esbuild (the current source, independent of the state
 * of dist/), or the built dist/cli.js with TIDINGS_TEST_CLI=dist.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createInboxStore, type InboxStore } from '../../../src/inbox/index.js';
import { TEST_API_KEY, TEST_JWT_SECRET, type Frame, type TestSocket } from '../../../src/testing/index.js';

export const DATABASE_URL = process.env.TIDINGS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const IN_CI = process.env.CI === 'true';
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A name no other test or run uses (letters, digits, `_`). */
export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** `undefined` when PostgreSQL answers, else a skip reason; under CI=true an unreachable server throws. */
export async function postgresSkipReason(url = DATABASE_URL): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    const reason = `PostgreSQL not reachable at ${url} (${(err as Error).message}); set TIDINGS_TEST_DATABASE_URL`;
    if (IN_CI) throw new Error(reason);
    return reason;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = DATABASE_URL): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A PostgreSQL inbox in a schema of its own; `drop()` removes the schema (close the store first). */
export async function freshPostgresInbox(): Promise<{ inbox: InboxStore; schema: string; drop(): Promise<void> }> {
  const schema = uniqueName('t_notify');
  const inbox = await createInboxStore(DATABASE_URL, { schema });
  return { inbox, schema, drop: () => admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)).then(() => undefined) };
}

/**
 * A database of its own, for server processes that take only a URL (the inbox has no schema setting, and
 * it qualifies its tables with the schema, so `search_path` in the URL would not separate them).
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = uniqueName('t_notify_db');
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(DATABASE_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined) };
}

/** The next `count` frames of `type`, skipping others (pings). */
export async function framesOf(socket: TestSocket, type: string, count: number, timeoutMs = 5000): Promise<Frame[]> {
  const deadline = Date.now() + timeoutMs;
  const out: Frame[] = [];
  while (out.length < count) out.push(await socket.nextOfType(type, Math.max(1, deadline - Date.now())));
  return out;
}

/**
 * Frames up to and including the first one `until` accepts (pings dropped). Used with a marker: the layer
 * delivers one connection's events in order, so whatever was pushed before the marker is among these.
 */
export async function framesUntil(socket: TestSocket, until: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame[]> {
  const deadline = Date.now() + timeoutMs;
  const out: Frame[] = [];
  for (;;) {
    const frame = await socket.nextFrame(Math.max(1, deadline - Date.now()));
    if (frame.type === 'ping') continue;
    out.push(frame);
    if (until(frame)) return out;
  }
}

/** The count a client would show after these frames: the last `unread` of a notification or unread frame. */
export function shownCount(frames: readonly Frame[], start: number): number {
  let count = start;
  for (const f of frames) {
    if (f.type === 'notification') count = f.unread as number;
    if (f.type === 'unread') count = f.count as number;
  }
  return count;
}

const bundles = join(ROOT, '.tidings-tmp', `notify-tests-${process.pid}-${randomBytes(3).toString('hex')}`);
let bundlesMade = false;

/**
 * `entry` bundled with its packages into one ESM file under ROOT/.tidings-tmp (so the native
 * better-sqlite3 and `public/` resolve as from src/), removed when this process exits. One file loads
 * about a third faster than the same code spread over node_modules.
 */
export async function bundle(entry: string, name: string): Promise<string> {
  const { build } = await import('esbuild');
  if (!bundlesMade) {
    mkdirSync(bundles, { recursive: true });
    process.once('exit', () => rmSync(bundles, { recursive: true, force: true }));
    bundlesMade = true;
  }
  const outfile = join(bundles, name);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3', 'pg-native'],
    // CommonJS packages inside an ESM bundle still call require().
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

let cli: Promise<string> | undefined;

/**
 * The file to run for `tidings`: src/cli.ts bundled now, so the test runs the current source whatever
 * state dist/ is in (other work may be rebuilding it); with TIDINGS_TEST_CLI=dist, the built dist/cli.js.
 */
export function cliFile(): Promise<string> {
  if (process.env.TIDINGS_TEST_CLI === 'dist') return Promise.resolve(join(ROOT, 'dist/cli.js'));
  cli ??= bundle(join(ROOT, 'src/cli.ts'), 'cli.mjs');
  return cli;
}

/** Environment of child processes: the test secrets, nothing inherited that configures Tidings. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TIDINGS_')) env[k] = v;
  return { ...env, TIDINGS_JWT_SECRET: TEST_JWT_SECRET, TIDINGS_API_KEY: TEST_API_KEY, TIDINGS_LOG_LEVEL: 'info', ...extra };
}

/** Result of a finished child process. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** When it exited (ms since the epoch, the clock of pino's `time`). */
  endedAt: number;
}

/** Run `tidings <args>` to completion (killed after `timeoutMs`). */
export async function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Finished> {
  const file = await cliFile();
  const started = Date.now();
  const child = spawn(process.execPath, [file, ...args], { cwd: ROOT, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started, endedAt: Date.now() });
    });
  });
}

/** A `tidings serve` child process. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  wsUrl(path: string): string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<void>;
}

/** Start `tidings serve --host 127.0.0.1 --port 0 <args>` and resolve once its log says it listens. */
export async function startServe(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [await cliFile(), 'serve', '--host', '127.0.0.1', '--port', '0', '--env', 'test', ...args], {
    cwd: ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tidings serve did not listen within ${options.timeoutMs ?? 20_000} ms:\n${output}`));
    }, options.timeoutMs ?? 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.includes('"msg":"listening"'));
      if (!line) return;
      clearTimeout(timer);
      const port = (JSON.parse(line) as { port: number }).port;
      const url = `http://127.0.0.1:${port}`;
      resolve({
        child,
        url,
        wsUrl: (path) => url.replace(/^http/, 'ws') + path,
        output: () => output,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tidings serve exited (${code}) before listening:\n${output}`));
    });
  });
}

/** POST/GET against a server's HTTP API with the test API key. */
export async function apiCall(base: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${TEST_API_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
