/**
 * Test helpers for deployment tests: run `node dist/cli.js serve` as a real child process (its pino JSON
 * log parsed line by line), open sockets from a chosen local address, and find system binaries.
 * `npm test` builds dist/ first; running a file alone needs `npm run build` once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { signToken } from '../../../src/auth/index.js';
import { TestSocket } from '../../../src/testing/index.js';

/** The repository root and the built CLI. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli.js');

/** A parsed pino line. */
export interface LogEntry {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** Where a binary is (PATH, then the sbin directories a non-root PATH lacks), or null. */
export function findBinary(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/**
 * `false` when `binary` is installed; otherwise a skip reason outside CI. Under CI=true a missing binary
 * is an error: the test must fail, not skip (see .ci/run, which installs it).
 */
export function unless(binary: string, debianPackage: string): false | string {
  if (findBinary(binary)) return false;
  if (process.env.CI === 'true') throw new Error(`${binary} is not installed (apt-get install -y ${debianPackage})`);
  return `${binary} not installed (apt-get install -y ${debianPackage}); skipped outside CI`;
}

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `tidings-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Random secrets for one test server. */
export function secrets(): { jwtSecret: string; apiKey: string } {
  return { jwtSecret: randomBytes(24).toString('base64url'), apiKey: randomBytes(16).toString('hex') };
}

/** Environment for a child: this process's environment without any TIDINGS_* variable, plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TIDINGS_')) env[k] = v;
  return { ...env, ...extra };
}

/** Resolve with `promise`, or reject after `ms` with `what` in the message. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Collects a child's output as lines and parsed log entries, and lets tests await a given entry. */
export class OutputLog {
  readonly lines: string[] = [];
  readonly entries: LogEntry[] = [];
  #partial = '';
  #waiters = new Set<() => void>();

  feed(chunk: Buffer | string): void {
    const parts = (this.#partial + String(chunk)).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      try {
        const entry: unknown = JSON.parse(line);
        if (entry && typeof entry === 'object') this.entries.push(entry as LogEntry);
      } catch {
        // not a log line (e.g. a message on stderr); kept in `lines`
      }
    }
    for (const wake of [...this.#waiters]) wake();
  }

  /** Everything written so far. */
  get text(): string {
    return this.lines.join('\n') + (this.#partial ? `\n${this.#partial}` : '');
  }

  /** The first entry (already written or to come) matching `match`. */
  waitFor(match: (e: LogEntry) => boolean, timeoutMs: number, what = 'log line'): Promise<LogEntry> {
    return this.waitForCount(match, 1, timeoutMs, what);
  }

  /** Wait until `count` entries match `match`; resolves with the last of them. */
  waitForCount(match: (e: LogEntry) => boolean, count: number, timeoutMs: number, what = 'log line'): Promise<LogEntry> {
    const found = () => {
      const all = this.entries.filter(match);
      return all.length >= count ? all[count - 1] : undefined;
    };
    return within(
      new Promise<LogEntry>((resolve) => {
        const check = () => {
          const entry = found();
          if (!entry) return;
          this.#waiters.delete(check);
          resolve(entry);
        };
        this.#waiters.add(check);
        check();
      }),
      timeoutMs,
      `${what} (output so far:\n${this.text.slice(-2000)})`,
    );
  }
}

export interface TidingsProcessOptions {
  /** Flags after `serve` (host 127.0.0.1 and port 0 are added unless given). */
  args?: string[];
  /** TIDINGS_* variables (the parent's are not inherited). */
  env?: Record<string, string>;
}

/** `node dist/cli.js serve` as a child process. */
export class TidingsProcess {
  readonly log = new OutputLog();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  port = 0;

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (c: Buffer) => this.log.feed(c));
    child.stderr?.on('data', (c: Buffer) => this.log.feed(c));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Start and wait for the `listening` line (which carries the port). */
  static async start(options: TidingsProcessOptions = {}): Promise<TidingsProcess> {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first`);
    const args = options.args ?? [];
    const defaults = [...(args.includes('--host') ? [] : ['--host', '127.0.0.1']), ...(args.includes('--port') ? [] : ['--port', '0'])];
    const child = spawn(process.execPath, [CLI, 'serve', ...defaults, ...args], {
      cwd: ROOT,
      env: childEnv({ TIDINGS_DEMO: 'false', ...options.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = new TidingsProcess(child);
    // Generous: a loaded CI machine can take seconds just to load the modules.
    const listening = proc.log.waitFor((e) => e.msg === 'listening', 30_000, 'tidings listening');
    const died = proc.exited.then(({ code }) => {
      throw new Error(`tidings exited with ${code} before listening:\n${proc.log.text}`);
    });
    try {
      const entry = await Promise.race([listening, died]);
      proc.port = Number(entry.port);
      return proc;
    } catch (err) {
      // A child left running would keep the test file's process (and the whole run) alive.
      child.kill('SIGKILL');
      throw err;
    }
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Send a signal, then wait for the exit. SIGKILL if it has not exited within `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    try {
      return await within(this.exited, timeoutMs, 'tidings exit');
    } catch (err) {
      this.child.kill('SIGKILL');
      throw err;
    }
  }
}

/** Sign a connection token for `user`. */
export function tokenFor(jwtSecret: string, user: string): Promise<string> {
  return signToken(jwtSecret, user, { ttlSeconds: 600 });
}

/** Open a WebSocket (optionally from a given local address, e.g. 127.0.0.2) as a TestSocket. */
export function openSocket(url: string, options: { headers?: Record<string, string>; localAddress?: string; protocols?: string[] } = {}, timeoutMs = 5000): Promise<TestSocket> {
  const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {}, handshakeTimeout: timeoutMs, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
  const socket = new TestSocket(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`handshake refused: ${res.statusCode}`), { status: res.statusCode ?? 0 })));
    ws.once('error', reject);
  });
}

/** POST a notification with the API key; resolves with the status and the parsed body. */
export async function publish(baseUrl: string, apiKey: string, to: string, data: Record<string, unknown> = {}): Promise<{ status: number; body: { id?: string; seq?: number } }> {
  const res = await fetch(`${baseUrl}/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to, kind: 'reply', data }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as { id?: string; seq?: number }) : {} };
}
