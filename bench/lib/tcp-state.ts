/**
 * The kernel's view of a TCP connection, from /proc/net/tcp. A socket that never reads cannot see the server
 * hang up, and writing to it (a ping) changes what the server does; reading its state here changes nothing.
 */
import { readFileSync } from 'node:fs';

/** States of /proc/net/tcp (include/net/tcp_states.h) the harness tells apart. */
export const TcpState = { ESTABLISHED: 0x01, CLOSE: 0x07, CLOSE_WAIT: 0x08 } as const;

/**
 * The state of the connection from local port `localPort` to remote port `remotePort` in the text of
 * /proc/net/tcp, or null when the kernel no longer lists it (fully closed, e.g. after a reset).
 */
export function tcpStateIn(text: string, localPort: number, remotePort: number): number | null {
  const local = `:${localPort.toString(16).toUpperCase().padStart(4, '0')}`;
  const remote = `:${remotePort.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of text.split('\n')) {
    const [, localAddress, remoteAddress, state] = line.trim().split(/\s+/);
    if (localAddress?.endsWith(local) && remoteAddress?.endsWith(remote)) return Number.parseInt(state ?? '', 16);
  }
  return null;
}

/**
 * Whether the kernel lists the connection from `localPort` to `remotePort` as established (IPv4, from
 * /proc/net/tcp). On loopback both ends are listed: pass the server's port first to see the server's end.
 */
export function tcpEstablished(localPort: number, remotePort: number): boolean {
  return tcpStateIn(readFileSync('/proc/net/tcp', 'utf8'), localPort, remotePort) === TcpState.ESTABLISHED;
}
