/** Loopback port helpers. All benchmark traffic stays on 127.0.0.1. */
import { connect, createServer } from 'node:net';
import { sleep } from './time.js';

/** The only address the harness talks to. */
export const BENCH_HOST = '127.0.0.1';

/** A TCP port that was free on 127.0.0.1 a moment ago (bind to port 0, read it, release it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, BENCH_HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not read a free port'))));
    });
  });
}

/** Whether a TCP connection to 127.0.0.1:`port` succeeds now. */
export function canConnect(port: number, host = BENCH_HOST): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Wait until something accepts connections on `port`, or `ms` elapse, or `gone()` says the process that
 * should listen has exited. Resolves true when listening.
 */
export async function waitForPort(port: number, ms: number, gone: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  let pause = 20;
  while (Date.now() < end) {
    if (gone()) return false;
    if (await canConnect(port)) return true;
    await sleep(pause);
    pause = Math.min(200, pause * 2);
  }
  return false;
}

/** Parse `redis://host:port` or `postgres://…@host:port/db` and say whether the service accepts TCP. */
export async function serviceReachable(url: string): Promise<boolean> {
  try {
    const parsed = new URL(url);
    const fallback = parsed.protocol.startsWith('redis') ? 6379 : 5432;
    return await canConnect(Number(parsed.port || fallback), parsed.hostname || BENCH_HOST);
  } catch {
    return false;
  }
}
