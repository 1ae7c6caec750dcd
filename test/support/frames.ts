/**
 * Server frames as a test reads them: a WebSocket to a server (from a chosen local address too), and the
 * frames it receives, awaited with timeouts (pings skipped). Raw frames on the wire: wire/.
 */
import WebSocket from 'ws';
import { TestSocket, type Frame } from '../../src/testing/index.js';

/** Open a WebSocket (optionally from a given local address, e.g. 127.0.0.2) as a TestSocket. */
export function openSocket(url: string, options: { headers?: Record<string, string>; localAddress?: string; protocols?: string[] } = {}, timeoutMs = 5000): Promise<TestSocket> {
  const ws = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {}, handshakeTimeout: timeoutMs, ...(options.localAddress ? { localAddress: options.localAddress } : {}) });
  const socket = new TestSocket(ws);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`handshake refused: ${res.statusCode}`), { status: res.statusCode ?? 0 })));
    ws.once('error', reject);
  });
}

/** The next `count` frames of `type`, skipping others (pings). */
export async function framesOf(socket: TestSocket, type: string, count: number, timeoutMs = 5000): Promise<Frame[]> {
  const deadline = Date.now() + timeoutMs;
  const out: Frame[] = [];
  while (out.length < count) out.push(await socket.nextOfType(type, Math.max(1, deadline - Date.now())));
  return out;
}

/**
 * Frames up to and including the first one `until` accepts (pings dropped). Used with a marker: the layer
 * delivers one connection's events in order, so whatever was pushed before the marker is among these.
 */
export async function framesUntil(socket: TestSocket, until: (f: Frame) => boolean, timeoutMs = 5000): Promise<Frame[]> {
  const deadline = Date.now() + timeoutMs;
  const out: Frame[] = [];
  for (;;) {
    const frame = await socket.nextFrame(Math.max(1, deadline - Date.now()));
    if (frame.type === 'ping') continue;
    out.push(frame);
    if (until(frame)) return out;
  }
}

/** The count a client would show after these frames: the last `unread` of a notification or unread frame. */
export function shownCount(frames: readonly Frame[], start: number): number {
  let count = start;
  for (const f of frames) {
    if (f.type === 'notification') count = f.unread as number;
    if (f.type === 'unread') count = f.count as number;
  }
  return count;
}
