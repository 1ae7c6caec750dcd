/**
 * One timer for all sockets: each tick, a socket that has not answered the previous ping is cut, and every
 * other socket is pinged. A dead peer is therefore detected within two intervals.
 */
import type { WsTransport } from './ws-transport.js';

export interface Heartbeat {
  add(transport: WsTransport): void;
  delete(transport: WsTransport): void;
  /** Number of sockets watched. */
  readonly size: number;
  /** Called for each socket cut for missing its pong. */
  onTimeout: ((transport: WsTransport) => void) | null;
  stop(): void;
}

/** Start a heartbeat with the given interval in milliseconds. */
export function createHeartbeat(intervalMs: number): Heartbeat {
  const sockets = new Set<WsTransport>();
  const heartbeat: Heartbeat = {
    add: (t) => void sockets.add(t),
    delete: (t) => void sockets.delete(t),
    get size() {
      return sockets.size;
    },
    onTimeout: null,
    stop: () => clearInterval(timer),
  };
  const timer = setInterval(() => {
    for (const t of sockets) {
      if (!t.alive) {
        sockets.delete(t);
        heartbeat.onTimeout?.(t);
        t.terminate();
      } else {
        t.ping();
      }
    }
  }, intervalMs);
  timer.unref();
  return heartbeat;
}
