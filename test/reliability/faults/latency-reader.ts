/**
 * A cheap measuring client for latency under load. What it measures must be the server's delay, not its
 * own, so it does as little as a client can: a raw WebSocket over `net` (no `ws`, no message objects, no
 * UTF-8 decoding), frames parsed in place, the clock read once per TCP chunk. For each text frame that
 * carries `"data":{"t":<epoch ms>` it records `arrival - t`. It answers pings (so the heartbeat never cuts
 * it) and records the server's close code.
 */
import { connect, type Socket } from 'node:net';
import { encodeFrame, Opcode, readFrameHeader } from '../../support/wire/frames.js';
import { parseResponseHead, upgradeHead } from '../../support/wire/handshake.js';

const T_FIELD = Buffer.from('"data":{"t":');
const COMMA = 0x2c;

export interface LatencyReader {
  /** Latency of every timed frame received, in ms, in arrival order. */
  readonly latencies: number[];
  /** Text frames received (timed or not), hello included. */
  readonly frames: number;
  /** Close code of the server's close frame; null while open or when cut without one. */
  readonly closeCode: number | null;
  close(): void;
}

/** Open a reader on `url` (`ws://…/inform/?token=…`); resolves once the first frame (`hello`) arrived. */
export function openLatencyReader(url: string, timeoutMs = 10_000): Promise<LatencyReader> {
  const u = new URL(url);
  const request = upgradeHead({ target: u.pathname + u.search, host: u.host });
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(u.port), u.hostname);
    socket.setNoDelay(true);
    const latencies: number[] = [];
    let frames = 0;
    let closeCode: number | null = null;
    let pending: Buffer | null = null;
    let upgraded = false;
    const timer = setTimeout(() => fail(new Error(`no hello within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const reader: LatencyReader = {
      latencies,
      get frames() {
        return frames;
      },
      get closeCode() {
        return closeCode;
      },
      close: () => socket.destroy(),
    };

    /** Parse every whole frame of `buf`; keep the rest for the next chunk. */
    const parse = (buf: Buffer, now: number): void => {
      let off = 0;
      for (;;) {
        const head = readFrameHeader(buf, off);
        if (!head) break;
        const start = off + head.size;
        const end = start + head.length;
        if (end > buf.length) break;
        const { opcode } = head;
        if (opcode === Opcode.TEXT) {
          frames++;
          const at = buf.indexOf(T_FIELD, start);
          if (at >= 0 && at < end) {
            const from = at + T_FIELD.length;
            const to = buf.indexOf(COMMA, from);
            latencies.push(now - Number(buf.toString('latin1', from, to > 0 && to < end ? to : end)));
          }
          if (frames === 1) {
            clearTimeout(timer);
            resolve(reader);
          }
        } else if (opcode === Opcode.PING) {
          socket.write(encodeFrame({ opcode: Opcode.PONG, payload: Buffer.from(buf.subarray(start, end)) }));
        } else if (opcode === Opcode.CLOSE) {
          closeCode = head.length >= 2 ? buf.readUInt16BE(start) : null;
          socket.end();
        }
        off = end;
      }
      pending = off < buf.length ? Buffer.from(buf.subarray(off)) : null;
    };

    socket.on('data', (chunk: Buffer) => {
      const now = performance.timeOrigin + performance.now();
      if (upgraded) return parse(pending ? Buffer.concat([pending, chunk]) : chunk, now);
      const buf: Buffer = pending ? Buffer.concat([pending, chunk]) : chunk;
      const head = parseResponseHead(buf);
      if (!head) {
        pending = buf;
        return;
      }
      if (head.status !== 101) return fail(new Error(`handshake refused: ${head.status}`));
      upgraded = true;
      pending = null;
      parse(head.rest, now);
    });
    socket.on('error', (err) => fail(err));
    socket.on('close', () => fail(new Error('closed before hello')));
    socket.on('connect', () => socket.write(request));
  });
}
