/**
 * A Tidings server in a child process (see measured-entry.ts), measured from outside: resident memory and
 * its peak from /proc/<pid>/status, open file descriptors from /proc/<pid>/fd, heap after GC over IPC,
 * liveness, and every error-level log line and Node warning it wrote (client misbehaviour must never log
 * at error; a MaxListenersExceededWarning is how a listener leak shows). It can also make its own load.
 */
import { getPriority, setPriority } from 'node:os';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { signToken } from '../../src/auth/index.js';
import { TEST_API_KEY, TEST_JWT_SECRET } from '../../src/testing/index.js';
import { Child } from './process.js';
import { within } from './time.js';

const ENTRY = fileURLToPath(new URL('./measured-entry.ts', import.meta.url));
/** Generous: tsx compiles the service on start, slow on a loaded CI machine. */
const START_TIMEOUT_MS = 60_000;
const IPC_TIMEOUT_MS = 60_000;

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
  /** Broadcast from inside the server (see measured-entry.ts); resolves when done. */
  broadcast(rate: number, seconds: number, bytes: number): Promise<{ sent: number; rate: number }>;
  /** Publish `each` notifications to every user, from inside the server. */
  notify(users: readonly string[], each: number): Promise<number>;
  /** Whether the process is still running. */
  alive(): boolean;
  /**
   * Run `work` and report the child's memory growth over the RSS measured (after GC) before it: `peak`
   * from VmHWM (reset first; the RSS after `work` where the kernel refuses the reset) and `retained`
   * after GC once `work` is done.
   */
  memoryGrowth(work: () => Promise<void>): Promise<{ peak: number; retained: number }>;
  /** Error-level (and worse) log lines and Node warnings written so far. */
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

/** Error-level lines (and lines that are not JSON: a Node warning or a crash) of stderr. */
function collectErrors(child: Child): string[] {
  const errors: string[] = [];
  child.process.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      try {
        if (((JSON.parse(line) as { level?: number }).level ?? 0) >= 50) errors.push(line);
      } catch {
        errors.push(line);
      }
    }
  });
  return errors;
}

/** Ask the child (IPC `{ id, cmd, args }`); resolves with its `value`. */
function asker(child: Child): <T>(cmd: string, args?: unknown, timeoutMs?: number) => Promise<T> {
  let nextId = 0;
  return (cmd, args, timeoutMs = IPC_TIMEOUT_MS) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`child did not answer ${cmd} within ${timeoutMs} ms`)), timeoutMs);
      child.process.on('message', function onMessage(m: { id?: number; value?: unknown; error?: string }) {
        if (m.id !== id) return;
        clearTimeout(timer);
        child.process.off('message', onMessage);
        if (m.error) reject(new Error(m.error));
        else resolve(m.value as never);
      });
      child.process.send({ id, cmd, args });
    });
}

/** Start a child server with these settings (over the test defaults). */
export async function startChildServer(settings: Record<string, unknown> = {}): Promise<ChildServer> {
  // stdout piped too: under `node --test` the test file's own stdout carries the runner's protocol.
  const child = Child.spawn({ args: ['--expose-gc', '--import', 'tsx', ENTRY, JSON.stringify(settings)], env: process.env, ipc: true });
  const errors = collectErrors(child);
  const listening = new Promise<string>((resolve) => {
    child.process.on('message', function onMessage(m: { type?: string; url?: string }) {
      if (m.type !== 'listening' || !m.url) return;
      child.process.off('message', onMessage);
      resolve(m.url);
    });
  });
  const url = await child.ready(within(listening, START_TIMEOUT_MS, 'child server listening'), 'child server');
  const pid = child.pid;
  const ask = asker(child);
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
    broadcast: (rate, seconds, bytes) => ask('broadcast', { rate, seconds, bytes }, (seconds + 30) * 1000),
    notify: (users, each) => ask('notify', { users, each }),
    alive: () => child.alive(),
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
      if (!child.alive()) return;
      child.process.disconnect();
      const timer = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
      await child.exited;
      clearTimeout(timer);
    },
  };
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
