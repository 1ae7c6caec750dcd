/**
 * The demo's webhook receiver (only with the demo on): point `TIDINGS_WEBHOOK_URL` at
 * `http://<host>:<port>/demo/api/webhook` and the demo page lists what arrives (public/reach-demo.js).
 * It checks each signature as an application would and keeps the last 20 events in memory.
 */
import { createHash } from 'node:crypto';
import { readBody, type HttpRoute } from '../http/index.js';
import { webhookSignature } from './channels/webhook.js';

/** Most events the demo log keeps. */
const KEEP = 20;

interface LogEntry {
  receivedAt: string;
  delivery: string;
  validSignature: boolean;
  event: unknown;
}

/** `POST /demo/api/webhook` and `GET /demo/api/webhook-log`. */
export function reachDemoRoutes(secret: string | undefined, webhookUrl: string | undefined): HttpRoute[] {
  const log: LogEntry[] = [];
  const seen = new Set<string>();
  return [
    {
      method: 'POST',
      path: '/demo/api/webhook',
      handler: async (ctx) => {
        const raw = (await readBody(ctx.req, 256 * 1024)).toString('utf8');
        const parts = Object.fromEntries(String(ctx.req.headers['tidings-signature'] ?? '').split(',').map((p) => p.split('=', 2)));
        const t = Number(parts.t);
        const fresh = Number.isInteger(t) && Math.abs(Date.now() / 1000 - t) <= 300;
        const validSignature = !!secret && fresh && typeof parts.v1 === 'string' && digest(webhookSignature(secret, t, raw)) === digest(parts.v1);
        const delivery = String(ctx.req.headers['tidings-delivery'] ?? '');
        if (!validSignature) return { status: 400, body: { ok: false } };
        if (!seen.has(delivery)) {
          seen.add(delivery);
          let event: unknown = null;
          try {
            event = JSON.parse(raw);
          } catch {
            // kept as null: the log shows what could be read
          }
          log.unshift({ receivedAt: new Date().toISOString(), delivery, validSignature, event });
          if (log.length > KEEP) seen.delete(log.pop()!.delivery);
        }
        return { status: 204 };
      },
    },
    {
      method: 'GET',
      path: '/demo/api/webhook-log',
      handler: () => ({ body: { configured: !!webhookUrl && webhookUrl.includes('/demo/api/webhook'), items: log } }),
    },
  ];
}

/** Compare hex digests in constant time by hashing both. */
function digest(hex: string): string {
  return createHash('sha256').update(hex).digest('hex');
}
