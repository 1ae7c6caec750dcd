/**
 * A TCP proxy for fault tests, in front of Redis, PostgreSQL or a pool of Tidings processes:
 * - `targets`: new connections go round-robin to the target ports; a target that refuses is skipped (the
 *   way a load balancer drops a dead backend), and with no live target the client is cut at once.
 * - `partition()`: a network partition. Nothing flows either way and nothing is closed (no FIN, no RST):
 *   sockets are paused, so bytes wait in buffers as unacknowledged data would wait in a real network, and
 *   closes on one side are held back. `heal()` lets everything through again, in order.
 * - `down()`: refuse (cut at once) every connection, old and new, until `up()`.
 * - `cut()`: cut the connections open now; new ones are served.
 * It records when it accepted each connection that reached a target (for reconnect-spread figures).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

interface Pair {
  client: Socket;
  upstream: Socket | null;
  /** The target port, once connected. */
  port: number;
  /** Closes seen during a partition, applied on heal. */
  heldClose: boolean;
  /** Chunks read just before a partition began, delivered on heal. */
  held: Array<[Socket, Buffer]>;
}

export interface TcpProxy {
  readonly port: number;
  /** Connections open through the proxy. */
  readonly open: number;
  /** `performance.now()` of every connection forwarded to a target, in order. */
  readonly forwardedAt: readonly number[];
  /** Connections open through the proxy to target `port`. */
  openTo(port: number): number;
  setTargets(ports: readonly number[]): void;
  partition(): void;
  heal(): void;
  down(): void;
  up(): void;
  cut(): void;
  close(): Promise<void>;
}

/** Start a proxy on 127.0.0.1 (a free port) to `targets` on 127.0.0.1. */
export async function startTcpProxy(targets: readonly number[]): Promise<TcpProxy> {
  let ports = [...targets];
  let next = 0;
  let partitioned = false;
  let refusing = false;
  const pairs = new Set<Pair>();
  const forwardedAt: number[] = [];

  const destroy = (pair: Pair): void => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  const onClose = (pair: Pair): void => {
    if (partitioned) pair.heldClose = true;
    else destroy(pair);
  };

  /** Try the targets in turn, starting at the next one; cut the client when none answers. */
  const dial = (pair: Pair, tries: number): void => {
    if (tries >= ports.length || refusing) return destroy(pair);
    const port = ports[next++ % ports.length] as number;
    const upstream = connect(port, '127.0.0.1');
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      pair.upstream = upstream;
      pair.port = port;
      forwardedAt.push(performance.now());
      forward(pair, pair.client, upstream);
      forward(pair, upstream, pair.client);
      if (partitioned) pause(pair);
      upstream.once('close', () => onClose(pair));
    });
    upstream.on('error', () => {
      if (!connected) dial(pair, tries + 1);
    });
  };

  /**
   * Copy `from` to `to` with backpressure. Not `pipe`: a pipe resumes its source when the destination
   * drains, which would let bytes through a partition.
   */
  const forward = (pair: Pair, from: Socket, to: Socket): void => {
    from.on('data', (chunk: Buffer) => {
      if (partitioned) {
        pair.held.push([to, chunk]);
        from.pause();
      } else if (!to.write(chunk)) from.pause();
    });
    to.on('drain', () => {
      if (!partitioned) from.resume();
    });
  };

  const pause = (pair: Pair): void => {
    pair.client.pause();
    pair.upstream?.pause();
  };

  const server: Server = createServer((client) => {
    const pair: Pair = { client, upstream: null, port: 0, heldClose: false, held: [] };
    pairs.add(pair);
    client.on('error', () => undefined);
    client.once('close', () => onClose(pair));
    if (refusing) return destroy(pair);
    if (partitioned) client.pause();
    dial(pair, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as { port: number }).port,
    get open() {
      return pairs.size;
    },
    forwardedAt,
    openTo: (port) => [...pairs].filter((p) => p.port === port).length,
    setTargets(list) {
      ports = [...list];
    },
    partition() {
      partitioned = true;
      for (const pair of pairs) pause(pair);
    },
    heal() {
      partitioned = false;
      for (const pair of [...pairs]) {
        for (const [to, chunk] of pair.held.splice(0)) to.write(chunk);
        if (pair.heldClose) destroy(pair);
        else {
          pair.client.resume();
          pair.upstream?.resume();
        }
      }
    },
    down() {
      refusing = true;
      for (const pair of [...pairs]) destroy(pair);
    },
    up() {
      refusing = false;
    },
    cut() {
      for (const pair of [...pairs]) destroy(pair);
    },
    async close() {
      for (const pair of [...pairs]) destroy(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
