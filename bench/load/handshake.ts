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

/** The upgrade request for `path` on `host:port`, with optional extra headers. */
export function upgradeRequest(
  host: string,
  port: number,
  path: string,
  key: string,
  headers: Readonly<Record<string, string>> = {},
): string {
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return (
    `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`
  );
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
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) {
    return received.length > MAX_RESPONSE_HEAD
      ? { done: true, ok: false, error: 'response head too large' }
      : { done: false };
  }
  const head = received.subarray(0, end).toString('latin1');
  const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1];
  if (status !== '101') return { done: true, ok: false, error: `HTTP ${status ?? '???'}: ${head.split('\r\n')[0] ?? ''}` };
  const accept = /^sec-websocket-accept:\s*(\S+)/im.exec(head)?.[1];
  if (accept !== acceptFor(key)) return { done: true, ok: false, error: 'bad Sec-WebSocket-Accept' };
  return { done: true, ok: true, rest: received.subarray(end + 4) };
}
