/**
 * Tidings servers as child processes, started one way ({@link startServe}): `tidings serve` from
 * src/cli.ts bundled with esbuild (the current source, whatever state dist/ is in), or the built
 * dist/cli.js (`cli: 'dist'`, or TIDINGS_TEST_CLI=dist), or any script that logs a pino `listening` line
 * with its port. Also: tokens, the HTTP API with the test key, and the CLI run to completion.
 */
import { type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleScript } from '../../bench/lib/bundle.js';
import { signToken } from '../../src/auth/index.js';
import { TEST_API_KEY, TEST_JWT_SECRET, TestSocket } from '../../src/testing/index.js';
import type { OutputLog } from './output-log.js';
import { CLI, Child, ROOT, childEnv, runToEnd, type Exit, type Finished } from './process.js';

const bundles = join(ROOT, '.tidings-tmp', `tests-${process.pid}-${randomBytes(3).toString('hex')}`);
let bundlesMade = false;

/**
 * `entry` bundled with its packages into one ESM file under ROOT/.tidings-tmp (so the native
 * better-sqlite3 and `public/` resolve as from src/), removed when this process exits. One file loads
 * about a third faster than the same code spread over node_modules.
 */
export async function bundle(entry: string, name: string): Promise<string> {
  if (!bundlesMade) {
    mkdirSync(bundles, { recursive: true });
    process.once('exit', () => rmSync(bundles, { recursive: true, force: true }));
    bundlesMade = true;
  }
  return bundleScript(entry, join(bundles, name), { inlinePackages: true });
}

let cli: Promise<string> | undefined;

/**
 * The file to run for `tidings`: src/cli.ts bundled now, so the test runs the current source whatever
 * state dist/ is in (other work may be rebuilding it); with TIDINGS_TEST_CLI=dist, the built dist/cli.js.
 */
export function cliFile(): Promise<string> {
  if (process.env.TIDINGS_TEST_CLI === 'dist') return Promise.resolve(CLI);
  cli ??= bundle(join(ROOT, 'src/cli.ts'), 'cli.mjs');
  return cli;
}

/** The built dist/cli.js, which must exist (`npm run build`). */
export function builtCli(): string {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
  return CLI;
}

/** Environment of a test server: the test secrets and `info` logs, nothing inherited that configures Tidings. */
export function testEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return childEnv({ TIDINGS_JWT_SECRET: TEST_JWT_SECRET, TIDINGS_API_KEY: TEST_API_KEY, TIDINGS_LOG_LEVEL: 'info', ...extra });
}

/** A server child process, once it has said `listening`. */
export class ServerProcess {
  constructor(
    readonly proc: Child,
    /** Port of the first `listening` line (every worker of a cluster shares it). */
    readonly port: number,
  ) {}

  get child(): ChildProcess {
    return this.proc.process;
  }

  get log(): OutputLog {
    return this.proc.log;
  }

  get pid(): number {
    return this.proc.pid;
  }

  get exited(): Promise<Exit> {
    return this.proc.exited;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  wsUrl(path: string): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  /** Everything it wrote to stdout and stderr so far. */
  output(): string {
    return this.proc.log.text;
  }

  alive(): boolean {
    return this.proc.alive();
  }

  /** Send `signal` and wait for the exit (SIGKILL after `timeoutMs`). */
  stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<Exit> {
    return this.proc.stop(signal, timeoutMs);
  }

  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<Exit> {
    return this.proc.kill();
  }
}

/** What {@link startServe} starts. */
export interface ServeOptions {
  /** Flags after `serve` (`--host 127.0.0.1` and `--port 0` are added unless given). */
  args?: readonly string[];
  /** The whole environment (default: {@link testEnv}()). */
  env?: NodeJS.ProcessEnv;
  /** `source` (default: src/cli.ts bundled, see {@link cliFile}) or the built `dist/cli.js`. */
  cli?: 'source' | 'dist';
  /** Node arguments and a script to run instead of `tidings serve` (it must log `listening` with its port). */
  script?: readonly string[];
  /** Processes that must log `listening` (2 for `--workers 2`); default 1. */
  listeners?: number;
  timeoutMs?: number;
  /** Append the output to this log (e.g. across restarts). */
  log?: OutputLog;
}

/** Start a Tidings server process and resolve once `listeners` processes have logged `listening`. */
export async function startServe(options: ServeOptions = {}): Promise<ServerProcess> {
  const args = options.args ?? [];
  const defaults = [...(args.includes('--host') ? [] : ['--host', '127.0.0.1']), ...(args.includes('--port') ? [] : ['--port', '0'])];
  const command = options.script ?? [options.cli === 'dist' ? builtCli() : await cliFile(), 'serve', ...defaults, ...args];
  const proc = Child.spawn({ args: command, env: options.env ?? testEnv(), ...(options.log ? { log: options.log } : {}) });
  const isListening = (e: { msg: string }) => e.msg === 'listening';
  const before = proc.log.entries.filter(isListening).length;
  // Generous: a loaded CI machine can take seconds just to load the modules.
  const entry = await proc.ready(proc.log.waitForCount(isListening, before + (options.listeners ?? 1), options.timeoutMs ?? 30_000, 'tidings listening'), 'tidings serve');
  const first = proc.log.entries.filter(isListening)[before] ?? entry;
  return new ServerProcess(proc, Number(first.port));
}

/** `tidings serve --env test <args>` on the current source with the test secrets (`env` over {@link testEnv}). */
export function startTestServe(args: readonly string[], options: { env?: Record<string, string>; listeners?: number } = {}): Promise<ServerProcess> {
  return startServe({ args: ['--env', 'test', ...args], env: testEnv(options.env), ...(options.listeners ? { listeners: options.listeners } : {}) });
}

/** Run `tidings <args>` (current source) to completion with the test environment (killed after `timeoutMs`). */
export async function runCli(args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Finished> {
  return runToEnd({ args: [await cliFile(), ...args], env: testEnv(options.env), ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
}

/** Pids of the processes that logged `listening` (the workers of a cluster). */
export function listeningPids(proc: ServerProcess): number[] {
  return proc.log.entries.filter((e) => e.msg === 'listening').map((e) => Number(e.pid));
}

/** A connection token for `user` (the test secret unless given, 10 minutes). */
export function tokenFor(user: string, jwtSecret = TEST_JWT_SECRET): Promise<string> {
  return signToken(jwtSecret, user, { ttlSeconds: 600 });
}

/** POST (with a body) or GET against a server's HTTP API with the test API key (or `apiKey`). */
export async function apiCall(base: string, path: string, body?: unknown, headers: Record<string, string> = {}, apiKey = TEST_API_KEY): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** `GET <base>/readyz`: its status, or 0 when the request fails. */
export async function readyz(base: string): Promise<number> {
  try {
    const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** POST a notification (`kind: reply`) with `apiKey`; resolves with the status and the parsed body. */
export async function publish(base: string, apiKey: string, to: string, data: Record<string, unknown> = {}): Promise<{ status: number; body: { id?: string; seq?: number } }> {
  return apiCall(base, '/v1/notifications', { to, kind: 'reply', data }, {}, apiKey);
}

/** `node dist/cli.js serve <args>` (the build), with `env` and the demo off unless `env` turns it on. */
export function startBuilt(options: { args?: readonly string[]; env?: Record<string, string> } = {}): Promise<ServerProcess> {
  return startServe({ cli: 'dist', args: options.args ?? [], env: childEnv({ TIDINGS_DEMO: 'false', ...options.env }) });
}

/** Open `/inform/` on `server` as `user` (test secret) and await `hello`; the socket is added to `open`. */
export async function openTab(server: { wsUrl(path: string): string }, user: string, open: TestSocket[]): Promise<TestSocket> {
  const socket = await TestSocket.open(server.wsUrl(`/inform/?token=${await tokenFor(user)}`));
  open.push(socket);
  const hello = await socket.nextFrame();
  if (hello.type !== 'hello') throw new Error(`expected hello, got ${JSON.stringify(hello)}`);
  return socket;
}
