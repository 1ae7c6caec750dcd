/**
 * A TCP proxy that can go silent: `drop()` stops forwarding in both directions without closing anything,
 * like a network path that dies (a NAT timeout, a pulled cable). The server sees no FIN and no RST, only
 * silence, so only its heartbeat can find out. The proxy records when the server closes each upstream
 * connection.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface BlackHoleProxy {
  readonly port: number;
  /** Stop forwarding (both ways); returns `performance.now()` at the drop. */
  drop(): number;
  /** Resolves with `performance.now()` of each upstream close once `count` connections have been closed by the server. */
  upstreamCloses(count: number, timeoutMs: number): Promise<number[]>;
  close(): Promise<void>;
}

export async function startBlackHoleProxy(targetPort: number): Promise<BlackHoleProxy> {
  let dropped = false;
  const sockets = new Set<Socket>();
  const closes: number[] = [];
  let wake: (() => void) | null = null;
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    client.on('data', (d: Buffer) => void (dropped || upstream.write(d)));
    upstream.on('data', (d: Buffer) => void (dropped || client.write(d)));
    client.on('close', () => void (dropped || upstream.destroy()));
    upstream.on('close', () => {
      closes.push(performance.now());
      wake?.();
      if (!dropped) client.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    drop() {
      dropped = true;
      return performance.now();
    },
    async upstreamCloses(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (closes.length < count) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`${closes.length} of ${count} upstream connections closed within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
      return closes.slice(0, count);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
