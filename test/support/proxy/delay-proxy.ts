/**
 * A TCP proxy that delays every chunk by a settable number of milliseconds in both directions, keeping
 * their order: a slow database for the checker (PostgreSQL behind it answers each round trip `2 x delay`
 * later). Loopback only; `close()` ends every connection.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface DelayProxy {
  readonly port: number;
  /** Delay of each chunk from now on (0 = pass through at once). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** Forward `from` to `to`, each chunk `delay()` ms after it arrived, in order. */
function pipeDelayed(from: Socket, to: Socket, delay: () => number): void {
  let last = 0;
  from.on('data', (chunk: Buffer) => {
    const at = Math.max(Date.now() + delay(), last);
    last = at;
    const wait = at - Date.now();
    if (wait <= 0) to.write(chunk);
    else setTimeout(() => to.writable && to.write(chunk), wait);
  });
  from.on('end', () => setTimeout(() => to.end(), Math.max(0, last - Date.now())));
}

/** Start a proxy on a free loopback port in front of 127.0.0.1:`targetPort`. */
export async function startDelayProxy(targetPort: number): Promise<DelayProxy> {
  let delay = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => (s === client ? upstream : client).destroy());
    }
    pipeDelayed(client, upstream, () => delay);
    pipeDelayed(upstream, client, () => delay);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    setDelay: (ms) => void (delay = ms),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
