/**
 * Servers under test run as child processes, so their CPU and memory are read from /proc without the
 * generator's cost. A child is stopped by its own pid (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { freePort, waitForPort } from './net-util.js';

/** How to start a server child. */
export interface ServerChildOptions {
  /** Arguments after `node` (e.g. `['--import', 'tsx', 'bench/targets/ws-reference.ts', '--port', '9000']`). */
  readonly args: readonly string[];
  /** Port the child will listen on; readiness is a successful TCP connect to it. */
  readonly port: number;
  /** Extra environment (merged over the parent's). */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory. Default: the current one. */
  readonly cwd?: string;
  /** Open an IPC channel (for children that take commands). Default false. */
  readonly ipc?: boolean;
  /** Milliseconds to wait for the port. Default 30000. */
  readonly readyTimeoutMs?: number;
  /** Label used in error messages. */
  readonly label: string;
}

/** A running server child. */
export interface ServerChild {
  readonly pid: number;
  readonly port: number;
  readonly process: ChildProcess;
  /** The last lines the child wrote to stdout/stderr (bounded), for error messages. */
  output(): string;
  /** SIGTERM, wait up to `graceMs` (default 2000), then SIGKILL. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_LIMIT = 8192;

function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const add = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => tail;
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `BENCH_CPU_PROF=<dir>` runs every server child under `node --cpu-prof`, writing a profile into `<dir>` when
 * it exits (open it in Chrome DevTools or any .cpuprofile viewer).
 */
function profileArgs(): string[] {
  const dir = process.env.BENCH_CPU_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Spawn `node <args>` and resolve once it accepts TCP connections on `port`; rejects with its output. */
export async function startServerChild(options: ServerChildOptions): Promise<ServerChild> {
  const stdio: StdioOptions = options.ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  const child = spawn(process.execPath, [...profileArgs(), ...options.args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, ...options.env },
    stdio,
  });
  const output = keepTail(child);
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  const gone = (): boolean => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
  const readyMs = options.readyTimeoutMs ?? 30_000;
  const ready = await waitForPort(options.port, readyMs, gone);
  if (!ready || child.pid === undefined) {
    const exited = gone();
    await stopChild(child, 1000);
    const why = spawnError?.message ?? (exited ? `exit ${String(child.exitCode ?? child.signalCode)}` : `not listening on ${options.port} after ${readyMs} ms`);
    throw new Error(`${options.label} did not start (${why}): ${output().trim().slice(-2000)}`);
  }
  let stopping: Promise<void> | undefined;
  return {
    pid: child.pid,
    port: options.port,
    process: child,
    output,
    stop: (graceMs = 2000) => (stopping ??= stopChild(child, graceMs)),
  };
}

/** Attempts of {@link startOnFreePort}. */
const PORT_ATTEMPTS = 3;

/**
 * Pick a free port and start a child on it; if another process took the port between the pick and the
 * child's listen (EADDRINUSE: tests run next to the harness), try again with a new port.
 */
export async function startOnFreePort(start: (port: number) => Promise<ServerChild>): Promise<ServerChild> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePort());
    } catch (err) {
      if (attempt >= PORT_ATTEMPTS || !String((err as Error)?.message).includes('EADDRINUSE')) throw err;
    }
  }
}
