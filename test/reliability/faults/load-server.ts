/**
 * A Tidings server in a child process that makes its own load (see load-child.ts), measured from outside:
 * resident memory and open file descriptors from /proc, heap after GC over IPC, every error-level log line
 * and every Node warning it printed (a MaxListenersExceededWarning is how a listener leak shows).
 */
import { fork } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { testToken } from '../helpers/child-server.js';

const ENTRY = fileURLToPath(new URL('./load-child.ts', import.meta.url));
const START_TIMEOUT_MS = 20_000;

export interface LoadServer {
  readonly pid: number;
  readonly url: string;
  /** `ws://…/inform/?token=<token for user>` */
  informUrl(user: string): Promise<string>;
  /** Resident memory in bytes. */
  rss(): number;
  /** Open file descriptors. */
  fds(): number;
  /** `process.memoryUsage()` after two full GCs. */
  heap(): Promise<NodeJS.MemoryUsage>;
  connections(): Promise<number>;
  /** Broadcast from inside the server (see load-child.ts); resolves when done. */
  broadcast(rate: number, seconds: number, bytes: number): Promise<{ sent: number; rate: number }>;
  /** Publish `each` notifications to every user, from inside the server. */
  notify(users: readonly string[], each: number): Promise<number>;
  alive(): boolean;
  /** Error-level log lines and Node warnings written so far. */
  readonly problems: readonly string[];
  stop(): Promise<void>;
}

/** Start a load server with these settings (over the test defaults). */
export async function startLoadServer(settings: Record<string, unknown> = {}): Promise<LoadServer> {
  const child = fork(ENTRY, [JSON.stringify(settings)], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  const problems: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    for (const line of chunk.split('\n')) {
      if (!line.trim()) continue;
      try {
        if (((JSON.parse(line) as { level?: number }).level ?? 0) >= 50) problems.push(line);
      } catch {
        problems.push(line); // not a log line: a Node warning or a crash
      }
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`load server did not start within ${START_TIMEOUT_MS} ms\n${output}`)), START_TIMEOUT_MS);
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m.type !== 'listening' || !m.url) return;
      clearTimeout(timer);
      resolve(m.url);
    });
    void exited.then(() => reject(new Error(`load server exited before listening\n${output}`)));
  });
  const pid = child.pid as number;
  let nextId = 0;
  const ask = <T>(cmd: string, args?: unknown, timeoutMs = 60_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`load server did not answer ${cmd} within ${timeoutMs} ms`)), timeoutMs);
      child.on('message', function onMessage(m: { id?: number; value?: T; error?: string }) {
        if (m.id !== id) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        if (m.error) reject(new Error(m.error));
        else resolve(m.value as T);
      });
      child.send({ id, cmd, args });
    });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid,
    url,
    informUrl: async (user) => `${url.replace(/^http/, 'ws')}/inform/?token=${await testToken(user)}`,
    rss: () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024,
    fds: () => readdirSync(`/proc/${pid}/fd`).length,
    heap: () => ask('heap'),
    connections: () => ask('connections'),
    broadcast: (rate, seconds, bytes) => ask('broadcast', { rate, seconds, bytes }, (seconds + 30) * 1000),
    notify: (users, each) => ask('notify', { users, each }),
    alive,
    problems,
    async stop() {
      if (!alive()) return;
      child.disconnect();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
