/**
 * One timer for all sockets: each tick, a socket that has not answered the previous ping is cut, and every
 * other open socket is pinged. A dead peer is therefore detected within two intervals. The heartbeat keeps
 * no list of its own: it walks the server's open sockets.
 */
import type { WsTransport } from './ws-transport.js';

export interface Heartbeat {
  /** Called for each socket cut for missing its pong. */
  onTimeout: ((transport: WsTransport) => void) | null;
  stop(): void;
}

/** Start a heartbeat with the given interval in milliseconds over the sockets `sockets()` yields. */
export function createHeartbeat(intervalMs: number, sockets: () => Iterable<WsTransport>): Heartbeat {
  const heartbeat: Heartbeat = {
    onTimeout: null,
    stop: () => clearInterval(timer),
  };
  const timer = setInterval(() => {
    for (const t of sockets()) {
      // Closing sockets (a close handshake in progress, or cut last tick) are ws's to finish.
      if (!t.isOpen) continue;
      if (!t.alive) {
        heartbeat.onTimeout?.(t);
        t.terminate();
      } else {
        t.heartbeat();
      }
    }
  }, intervalMs);
  timer.unref();
  return heartbeat;
}
