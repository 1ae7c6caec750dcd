/**
 * `tidings serve` as a child process for fault tests: the current source (src/cli.ts bundled by the
 * notification tests' helper, or dist/cli.js with TIDINGS_TEST_CLI=dist), its pino log parsed line by line,
 * and the ways a process ends in production: SIGTERM (graceful), SIGKILL (crash).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { OutputLog, within } from '../../integration/deploy/child.js';
import { ROOT, childEnv, cliFile } from '../../integration/notify/env.js';
import { TEST_API_KEY, TEST_JWT_SECRET } from '../../../src/testing/index.js';
import { signToken } from '../../../src/auth/index.js';

export { TEST_API_KEY };

const START_TIMEOUT_MS = 20_000;

export interface ServeChild {
  readonly child: ChildProcess;
  readonly log: OutputLog;
  /** Port of the first `listening` line (every worker of a cluster shares it). */
  readonly port: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  /** Send `signal` and wait for the exit (SIGKILL after `timeoutMs`). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Start `tidings serve --host 127.0.0.1 --port 0 --env test <args>` with the test secrets and resolve once
 * `listeners` processes logged `listening` (2 for `--workers 2`).
 */
export async function startServe(args: readonly string[], options: { listeners?: number; env?: Record<string, string> } = {}): Promise<ServeChild> {
  const child = spawn(process.execPath, [await cliFile(), 'serve', '--host', '127.0.0.1', '--port', '0', '--env', 'test', ...args], {
    cwd: ROOT,
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = new OutputLog();
  child.stdout?.on('data', (c: Buffer) => log.feed(c));
  child.stderr?.on('data', (c: Buffer) => log.feed(c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const listening = log.waitForCount((e) => e.msg === 'listening', options.listeners ?? 1, START_TIMEOUT_MS, 'tidings listening');
  const died = exited.then(({ code }) => {
    throw new Error(`tidings exited with ${code} before listening:\n${log.text.slice(-3000)}`);
  });
  try {
    await Promise.race([listening, died]);
  } catch (err) {
    if (alive()) child.kill('SIGKILL');
    throw err;
  }
  const port = Number(log.entries.find((e) => e.msg === 'listening')?.port);
  return {
    child,
    log,
    port,
    url: `http://127.0.0.1:${port}`,
    exited,
    alive,
    async stop(signal = 'SIGTERM', timeoutMs = 20_000) {
      if (alive()) child.kill(signal);
      try {
        return await within(exited, timeoutMs, 'tidings exit');
      } catch (err) {
        child.kill('SIGKILL');
        throw err;
      }
    },
  };
}

/** Pids of the processes that logged `listening` (the workers of a cluster). */
export function listeningPids(proc: ServeChild): number[] {
  return proc.log.entries.filter((e) => e.msg === 'listening').map((e) => Number(e.pid));
}

/** A connection token for `user` (test secret, 10 minutes). */
export function tokenFor(user: string): Promise<string> {
  return signToken(TEST_JWT_SECRET, user, { ttlSeconds: 600 });
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
