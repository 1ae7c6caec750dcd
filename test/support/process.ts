/**
 * Child processes for tests, started one way: {@link Child.spawn} collects stdout and stderr in an
 * {@link OutputLog}, {@link Child.ready} awaits the line that says it is up (killing it if it dies or
 * hangs first), {@link Child.stop} signals and waits, by pid. {@link runToEnd} runs a command to completion.
 * Tidings servers: tidings.ts; servers measured from outside: measured-server.ts.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutputLog } from './output-log.js';
import { within } from './time.js';

/** The repository root and the built CLI. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist', 'cli.js');

/** Where a binary is (PATH, then the sbin directories a non-root PATH lacks), or null. */
export function findBinary(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return null;
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
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('TIDINGS_')) env[k] = v;
  return { ...env, ...extra };
}

/** How a process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What {@link Child.spawn} starts. */
export interface SpawnOptions {
  /** Default: this Node binary. */
  command?: string;
  args: readonly string[];
  /** Default: {@link childEnv}() (nothing that configures Tidings). */
  env?: NodeJS.ProcessEnv;
  /** Default: the repository root. */
  cwd?: string;
  /** A pipe to write to (default: none). */
  stdin?: boolean;
  /** An IPC channel (Node children: `process.send`). */
  ipc?: boolean;
  /** Append the output here (e.g. one log across restarts); default: a log of its own. */
  log?: OutputLog;
}

/** A child process whose stdout and stderr are collected in one {@link OutputLog}. */
export class Child {
  readonly exited: Promise<Exit>;

  private constructor(
    readonly process: ChildProcess,
    readonly log: OutputLog,
  ) {
    process.stdout?.on('data', (c: Buffer) => log.feed(c));
    process.stderr?.on('data', (c: Buffer) => log.feed(c));
    this.exited = new Promise((resolve) => process.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static spawn(options: SpawnOptions): Child {
    const stdio: StdioOptions = [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', ...(options.ipc ? ['ipc' as const] : [])];
    const child = spawn(options.command ?? process.execPath, options.args, { cwd: options.cwd ?? ROOT, env: options.env ?? childEnv(), stdio });
    return new Child(child, options.log ?? new OutputLog());
  }

  get pid(): number {
    return this.process.pid ?? 0;
  }

  alive(): boolean {
    return this.process.exitCode === null && this.process.signalCode === null;
  }

  /**
   * Resolve with `ready` (typically a wait on {@link log}); reject if the child exits first. On failure
   * the child is killed: one left running would keep the test file's process (and the run) alive.
   */
  async ready<T>(ready: Promise<T>, what: string): Promise<T> {
    const died = this.exited.then(({ code, signal }) => {
      throw new Error(`${what}: exited (${code ?? signal}) before it was ready:\n${this.log.text.slice(-3000)}`);
    });
    try {
      return await Promise.race([ready, died]);
    } catch (err) {
      this.process.kill('SIGKILL');
      throw err;
    }
  }

  /** Send `signal` (unless it has exited), then wait for the exit; SIGKILL if it has not exited within `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<Exit> {
    if (this.alive()) this.process.kill(signal);
    try {
      return await within(this.exited, timeoutMs, `exit of pid ${this.pid}`);
    } catch (err) {
      this.process.kill('SIGKILL');
      throw err;
    }
  }

  /** SIGKILL (a crash), resolved once the process is gone. */
  kill(): Promise<Exit> {
    if (this.alive()) this.process.kill('SIGKILL');
    return this.exited;
  }
}

/** A finished child process. */
export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** When it exited (ms since the epoch, the clock of pino's `time`). */
  endedAt: number;
}

/** Run a command to completion (killed after `timeoutMs`), its stdout and stderr kept apart. */
export async function runToEnd(options: SpawnOptions & { timeoutMs?: number }): Promise<Finished> {
  const started = Date.now();
  const child = spawn(options.command ?? process.execPath, options.args, { cwd: options.cwd ?? ROOT, env: options.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
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
