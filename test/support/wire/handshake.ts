/**
 * Opening handshakes by hand, for hostile ones: requests written byte for byte as given (thousands of
 * headers, control characters, lies), and the server's answer read until it closes the connection. The
 * request head and the response parser are the bench's (bench/load/handshake.ts).
 */
import { connect } from 'node:net';
import { parseResponseHead, upgradeHead } from '../../../bench/load/handshake.js';

export { parseResponseHead, upgradeHead, type ResponseHead } from '../../../bench/load/handshake.js';

export interface RawResponse {
  /** HTTP status, or 0 when the server closed without answering. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Milliseconds from the first byte written to the end of the connection (or the 101 head). */
  ms: number;
}

/**
 * Write `request` (bytes exactly as given) to the server and read the HTTP answer until the server
 * closes the connection (or answers 101, which ends the read). Rejects if nothing ends within the timeout.
 */
export function rawRequest(port: number, request: Buffer | string, timeoutMs = 5000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let started = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      const head = parseResponseHead(buf);
      const ms = performance.now() - started;
      resolve(head ? { status: head.status, headers: head.headers, body: head.rest.toString('utf8'), ms } : { status: 0, headers: {}, body: '', ms });
    };
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (parseResponseHead(buf)?.status === 101) {
        socket.destroy();
      }
    });
    socket.on('close', finish);
    // The server may cut the connection while the request is still being written (e.g. 431).
    socket.on('error', () => {});
    socket.on('connect', () => {
      started = performance.now();
      // write, not end: a half-closed socket is not a handshake the server would complete.
      socket.write(request);
    });
  });
}

/** A handshake request for `path` with the standard headers, extra header lines appended in order. */
export function handshakeRequest(path: string, extra: readonly string[] = [], overrides: { key?: string; version?: string } = {}): string {
  return upgradeHead({ target: path, host: '127.0.0.1', extra, ...overrides });
}
