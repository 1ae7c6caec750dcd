/**
 * Raw HTTP for hostile handshakes: requests written byte for byte as given (thousands of headers, control
 * characters, lies), and the server's answer read until it closes the connection.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/** The status line and headers of an HTTP response, and the bytes that followed them. */
export interface HttpHead {
  status: number;
  headers: Record<string, string>;
  rest: Buffer;
}

/** Parse an HTTP response head once `\r\n\r\n` has arrived; null before. */
export function parseHead(buf: Buffer): HttpHead | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, rest: buf.subarray(end + 4) };
}

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
      const head = parseHead(buf);
      const ms = performance.now() - started;
      resolve(head ? { status: head.status, headers: head.headers, body: head.rest.toString('utf8'), ms } : { status: 0, headers: {}, body: '', ms });
    };
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (parseHead(buf)?.status === 101) {
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
  return [
    `GET ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${overrides.key ?? randomBytes(16).toString('base64')}`,
    ...(overrides.version === '' ? [] : [`Sec-WebSocket-Version: ${overrides.version ?? '13'}`]),
    ...extra,
    '',
    '',
  ].join('\r\n');
}
