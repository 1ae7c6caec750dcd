/**
 * The real Tidings server for browser tests: `node dist/cli.js serve` as a child process on 127.0.0.1, port 0
 * (or a fixed port for a restart), a temporary SQLite file, development mode (demo site, dev tokens) with an
 * API key and JWT secret of its own. The port is read from the pino `listening` line on stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const BUNDLE = join(ROOT, 'public/static/tidings-bell.js');
const START_TIMEOUT_MS = 15_000;
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

/** The parent's environment without TIDINGS_* (the test decides every setting), plus `extra`. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('TIDINGS_')) env[key] = value;
  return { ...env, ...extra };
}

interface Spawned {
  child: ChildProcess;
  port: number;
  exited: Promise<void>;
}

function spawnServer(args: string[], env: NodeJS.ProcessEnv, logs: string[]): Promise<Spawned> {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`tidings serve ${why}\n${logs.slice(-20).join('\n')}`));
    };
    const timer = setTimeout(() => fail(`did not listen within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    const onEarlyExit = (code: number | null, signal: string | null): void => fail(`exited (${code ?? signal}) before listening`);
    child.once('exit', onEarlyExit);
    let rest = '';
    const onData = (chunk: Buffer): void => {
      const lines = (rest + chunk.toString('utf8')).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const port = listeningPort(line);
        if (port === undefined) continue;
        clearTimeout(timer);
        child.off('exit', onEarlyExit);
        resolve({ child, port, exited });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  });
}

function listeningPort(line: string): number | undefined {
  try {
    const entry = JSON.parse(line) as { msg?: unknown; port?: unknown };
    return entry.msg === 'listening' && typeof entry.port === 'number' ? entry.port : undefined;
  } catch {
    return undefined;
  }
}

/** Starts `tidings serve` and resolves once it listens. */
export async function startTidings(options: TidingsOptions = {}): Promise<TidingsProcess> {
  checkBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'tidings-e2e-'));
  const apiKey = `e2e-${randomBytes(12).toString('hex')}`;
  const jwtSecret = randomBytes(24).toString('hex');
  const env = childEnv({ TIDINGS_ENV: options.production ? 'production' : 'development', TIDINGS_DEMO: options.production ? 'false' : 'true', TIDINGS_API_KEY: apiKey, TIDINGS_JWT_SECRET: jwtSecret });
  const logs: string[] = [];
  const args = (port: number): string[] => [
    '--host', '127.0.0.1', '--port', String(port), '--database-url', `sqlite:${join(dir, 'inbox.db')}`, '--log-level', 'info',
    ...(options.allowedOrigins ? ['--allowed-origins', options.allowedOrigins] : []),
  ];
  let current = await spawnServer(args(0), env, logs);
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
    logs,
    async token(user) {
      const { status, body } = await post('/demo/api/token', { user });
      const token = (body as { token?: unknown } | null)?.token;
      if (status !== 200 || typeof token !== 'string') throw new Error(`no dev token for ${user}: ${status} ${JSON.stringify(body)}`);
      return token;
    },
    api: (path, body) => post(path, body, { authorization: `Bearer ${apiKey}` }),
    async kill() {
      current.child.kill('SIGKILL');
      await current.exited;
    },
    async restart() {
      current = await spawnServer(args(port), env, logs);
    },
    async stop() {
      if (current.child.exitCode === null && current.child.signalCode === null) {
        current.child.kill('SIGTERM');
        const timer = setTimeout(() => current.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await current.exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
