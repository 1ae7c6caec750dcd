/** The client side of the WebSocket opening handshake (RFC 6455 §4), written by hand for raw sockets. */
import { createHash, randomBytes } from 'node:crypto';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Largest response head the harness accepts before giving up on a handshake. */
export const MAX_RESPONSE_HEAD = 16 * 1024;

/** A fresh `Sec-WebSocket-Key`. */
export function newKey(): string {
  return randomBytes(16).toString('base64');
}

/** The `Sec-WebSocket-Accept` value a server must answer for `key`. */
export function acceptFor(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64');
}

/** What {@link upgradeHead} writes. */
export interface UpgradeHead {
  /** The request target (path and query), written as given. */
  target: string;
  /** The Host header. */
  host: string;
  /** `Sec-WebSocket-Key` (default: {@link newKey}()). */
  key?: string;
  /** `Sec-WebSocket-Version` (default 13; `''` leaves the header out). */
  version?: string;
  /** Further header lines, written in order after the standard ones. */
  extra?: readonly string[];
}

/** An upgrade request head, byte for byte as described (hostile variants included). */
export function upgradeHead(head: UpgradeHead): string {
  return [
    `GET ${head.target} HTTP/1.1`,
    `Host: ${head.host}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${head.key ?? newKey()}`,
    ...(head.version === '' ? [] : [`Sec-WebSocket-Version: ${head.version ?? '13'}`]),
    ...(head.extra ?? []),
    '',
    '',
  ].join('\r\n');
}

/** The upgrade request for `path` on `host:port`, with optional extra headers. */
export function upgradeRequest(
  host: string,
  port: number,
  path: string,
  key: string,
  headers: Readonly<Record<string, string>> = {},
): string {
  return upgradeHead({ target: path, host: `${host}:${port}`, key, extra: Object.entries(headers).map(([name, value]) => `${name}: ${value}`) });
}

/** The status line and headers of an HTTP response, and the bytes that followed them. */
export interface ResponseHead {
  status: number;
  statusLine: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  rest: Buffer;
}

/** Parse an HTTP response head once `\r\n\r\n` has arrived; null before. */
export function parseResponseHead(buf: Buffer): ResponseHead | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), statusLine, headers, rest: buf.subarray(end + 4) };
}

/** Outcome of reading a response head. */
export type HandshakeResult =
  | { readonly done: false }
  | { readonly done: true; readonly ok: true; readonly rest: Buffer }
  | { readonly done: true; readonly ok: false; readonly error: string };

/**
 * Examine the bytes received so far. Once the head is complete, check the status (101) and the accept
 * value; `rest` holds the bytes after the head (the first frames may arrive in the same segment).
 */
export function readHandshake(received: Buffer, key: string): HandshakeResult {
  const head = parseResponseHead(received);
  if (!head) {
    return received.length > MAX_RESPONSE_HEAD
      ? { done: true, ok: false, error: 'response head too large' }
      : { done: false };
  }
  const status = /^HTTP\/1\.1 (\d{3})/.exec(head.statusLine)?.[1];
  if (status !== '101') return { done: true, ok: false, error: `HTTP ${status ?? '???'}: ${head.statusLine}` };
  if (head.headers['sec-websocket-accept'] !== acceptFor(key)) return { done: true, ok: false, error: 'bad Sec-WebSocket-Accept' };
  return { done: true, ok: true, rest: head.rest };
}
