/**
 * A webhook receiver for tests, as an application would write one: it checks `Tidings-Signature` (HMAC over
 * "<t>.<raw body>", `t` at most 5 minutes old, constant-time compare), refuses the first `failFirst`
 * attempts with 500, and records every attempt and every delivery it accepted (deduplicated by
 * `Tidings-Delivery`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Attempt {
  delivery: string;
  t: number;
  validSignature: boolean;
  status: number;
  at: number;
}

export interface Held {
  delivery: string;
  /** The request path (tests give each process its own). */
  path: string;
  body: Accepted['body'];
}

export interface Accepted {
  delivery: string;
  body: { type: string; user: string; notifications: { id: string; seq: number; kind: string; data: Record<string, unknown>; createdAt: string }[] };
  at: number;
}

/** Verify a `Tidings-Signature` header against the raw body. */
export function verifySignature(secret: string, header: string | undefined, raw: string, nowSeconds = Date.now() / 1000): { ok: boolean; t: number } {
  const parts = Object.fromEntries((header ?? '').split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > 300 || typeof parts.v1 !== 'string') return { ok: false, t };
  const expected = createHmac('sha256', secret).update(`${t}.${raw}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return { ok: given.length === expected.length && timingSafeEqual(given, expected), t };
}

export class WebhookReceiver extends EventEmitter {
  readonly attempts: Attempt[] = [];
  readonly accepted = new Map<string, Accepted>();
  /** Attempts refused with 500 before the receiver starts accepting. */
  failFirst = 0;
  /** When set, a request it returns true for is held (never answered); the `held` event carries it. */
  hold: ((held: Held) => boolean) | null = null;
  private constructor(
    readonly server: Server,
    readonly url: string,
    readonly secret: string,
  ) {
    super();
  }

  static async start(secret: string): Promise<WebhookReceiver> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const r = new WebhookReceiver(server, url, secret);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const delivery = String(req.headers['tidings-delivery'] ?? '');
        const sig = verifySignature(secret, req.headers['tidings-signature'] as string | undefined, raw);
        const held: Held = { delivery, path: req.url ?? '', body: JSON.parse(raw || '{}') as Accepted['body'] };
        if (sig.ok && r.hold?.(held)) {
          r.emit('held', held);
          return;
        }
        const status = !sig.ok ? 401 : r.attempts.filter((a) => a.status !== 401).length < r.failFirst ? 500 : 204;
        r.attempts.push({ delivery, t: sig.t, validSignature: sig.ok, status, at: Date.now() });
        res.writeHead(status).end();
        if (status === 204 && !r.accepted.has(delivery)) {
          const accepted = { delivery, body: JSON.parse(raw) as Accepted['body'], at: Date.now() };
          r.accepted.set(delivery, accepted);
          r.emit('accepted', accepted);
        }
      });
    });
    return r;
  }

  /** Resolve once `count` distinct deliveries were accepted in total, or fail after `ms`. */
  async waitAccepted(count: number, ms = 10_000): Promise<Accepted[]> {
    const deadline = Date.now() + ms;
    while (this.accepted.size < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`only ${this.accepted.size} of ${count} webhook deliveries within ${ms} ms`);
      await Promise.race([once(this, 'accepted'), new Promise((r) => setTimeout(r, left).unref())]);
    }
    return [...this.accepted.values()];
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
