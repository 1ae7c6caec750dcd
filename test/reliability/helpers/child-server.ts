/**
 * A Tidings server in a child process (see server-child.ts), measured from outside: resident memory and
 * its peak from /proc/<pid>/status, open file descriptors from /proc/<pid>/fd, heap after GC over IPC,
 * liveness, and every error-level log line it wrote (client misbehaviour must never log at error).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { signToken } from '../../../src/auth/index.js';
import { TEST_API_KEY, TEST_JWT_SECRET } from '../../../src/testing/index.js';

const ENTRY = fileURLToPath(new URL('./server-child.ts', import.meta.url));
/** Generous: tsx compiles the service on start, slow on a loaded CI machine. */
const START_TIMEOUT_MS = 60_000;
const IPC_TIMEOUT_MS = 10_000;

export interface ChildServer {
  readonly pid: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** `ws://127.0.0.1:<port><path>` */
  wsUrl(path: string): string;
  /** `ws://…/inform/?token=<token for user>` */
  informUrl(user: string): Promise<string>;
  /** POST a JSON body to the API with the test key; resolves with the status and parsed body. */
  api(path: string, body: unknown): Promise<{ status: number; body: unknown }>;
  /** Resident memory in bytes (VmRSS). */
  rss(): number;
  /** Peak resident memory in bytes since the last resetPeak() (VmHWM). */
  peakRss(): number;
  /** Reset the peak to the current RSS; false where the kernel does not allow it. */
  resetPeak(): boolean;
  /** Open file descriptors. */
  fds(): number;
  /** `process.memoryUsage()` in the child after two full GCs. */
  heap(): Promise<NodeJS.MemoryUsage>;
  /** Open WebSocket connections in the child. */
  connections(): Promise<number>;
  /** Whether the process is still running. */
  alive(): boolean;
  /**
   * Run `work` and report the child's memory growth over the RSS measured (after GC) before it: `peak`
   * from VmHWM (reset first; the RSS after `work` where the kernel refuses the reset) and `retained`
   * after GC once `work` is done.
   */
  memoryGrowth(work: () => Promise<void>): Promise<{ peak: number; retained: number }>;
  /** Error-level (and worse) log lines written so far. */
  readonly errors: readonly string[];
  stop(): Promise<void>;
}

/** Sign a test token for `user`. */
export function testToken(user: string): Promise<string> {
  return signToken(TEST_JWT_SECRET, user);
}

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]) * 1024;
}

/** Reset VmHWM to the current RSS (Linux clear_refs 5); false where not permitted. */
function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

function waitListening(child: ChildProcess, stderr: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child server did not start within ${START_TIMEOUT_MS} ms\n${stderr()}`)), START_TIMEOUT_MS);
    child.on('message', function onMessage(m: { type?: string; url?: string }) {
      if (m.type !== 'listening' || !m.url) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m.url);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child server exited (${code}) before listening\n${stderr()}`));
    });
  });
}

/** Start a child server with these settings (over the test defaults). */
export async function startChildServer(settings: Record<string, unknown> = {}): Promise<ChildServer> {
  const child = fork(ENTRY, [JSON.stringify(settings)], {
    execArgv: ['--expose-gc', '--import', 'tsx'],
    // stdout piped too: under `node --test` the test file's own stdout carries the runner's protocol.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  const errors: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const line of chunk.split('\n')) {
      try {
        if ((JSON.parse(line) as { level?: number }).level! >= 50) errors.push(line);
      } catch {
        if (line.trim()) errors.push(line);
      }
    }
  });
  // A child that fails to start is killed, or its IPC channel would keep the test process alive forever.
  const url = await waitListening(child, () => stderr).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  const pid = child.pid as number;
  let nextId = 0;
  const ask = <T>(cmd: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`child did not answer ${cmd}`)), IPC_TIMEOUT_MS);
      child.on('message', function onMessage(m: { id?: number; value?: T }) {
        if (m.id !== id) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m.value as T);
      });
      child.send({ id, cmd });
    });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const wsUrl = (path: string) => url.replace(/^http/, 'ws') + path;
  return {
    pid,
    url,
    port: Number(new URL(url).port),
    wsUrl,
    informUrl: async (user) => wsUrl(`/inform/?token=${await testToken(user)}`),
    async api(path, body) {
      const res = await fetch(url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    rss: () => statusKb(pid, 'VmRSS'),
    peakRss: () => statusKb(pid, 'VmHWM'),
    resetPeak: () => resetPeak(pid),
    fds: () => readdirSync(`/proc/${pid}/fd`).length,
    heap: () => ask<NodeJS.MemoryUsage>('heap'),
    connections: () => ask<number>('connections'),
    alive: () => child.exitCode === null && child.signalCode === null,
    async memoryGrowth(work) {
      await ask('heap');
      const canPeak = resetPeak(pid);
      const before = statusKb(pid, 'VmRSS');
      await work();
      const peak = statusKb(pid, canPeak ? 'VmHWM' : 'VmRSS') - before;
      await ask('heap');
      return { peak, retained: statusKb(pid, 'VmRSS') - before };
    },
    errors,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Poll `check` until it returns true or `timeoutMs` passes (for states that raise no event, like fd counts). */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Run process `pid` at a higher priority (nice `nice`, negative: needs root or CAP_SYS_NICE), so that a
 * timing measured on a shared machine is the server's and not the scheduler's. Returns the niceness now in
 * effect (unchanged where raising it is not permitted).
 */
export function raisePriority(pid: number, nice = -10): number {
  try {
    setPriority(pid, nice);
  } catch {
    // Not permitted: the measurement runs at normal priority (the figure says so).
  }
  return getPriority(pid);
}
