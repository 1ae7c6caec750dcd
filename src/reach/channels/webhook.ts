/**
 * The webhook channel: `POST TIDINGS_WEBHOOK_URL` with
 * `{"type":"notification.unseen","user","notifications":[{id,seq,kind,data,createdAt}]}`, signed with
 * `Tidings-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` (each attempt signed
 * afresh) and `Tidings-Delivery: <id>`, the same on every attempt of one delivery. 2xx is delivered;
 * anything else, or no answer within the timeout, is failed (retried by the escalator).
 */
import { createHmac } from 'node:crypto';
import type { Logger } from '../../log/index.js';
import type { DeliveryRecord } from '../store.js';
import type { ChannelSender, SendResult } from './types.js';

/** Options of {@link webhookChannel}. */
export interface WebhookOptions {
  url: string;
  secret: string;
  /** Milliseconds to wait for an answer. Default 10000. */
  timeoutMs?: number;
  log: Logger;
}

/** `hex(HMAC-SHA256(secret, "<t>.<body>"))`. */
export function webhookSignature(secret: string, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}

/** The body of a `notification.unseen` delivery. */
export function webhookBody(d: Pick<DeliveryRecord, 'user' | 'payload'>): string {
  const notifications = d.payload.items.map((i) => ({ id: i.id, seq: i.seq, kind: i.kind, data: i.data, createdAt: i.createdAt }));
  return JSON.stringify({ type: 'notification.unseen', user: d.user, notifications });
}

/** POST a signed JSON body; true for a 2xx answer. Never throws. */
export async function postSigned(o: WebhookOptions, body: string, deliveryId: string): Promise<boolean> {
  const t = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'tidings-webhook',
    'tidings-signature': `t=${t},v1=${webhookSignature(o.secret, t, body)}`,
    'tidings-delivery': deliveryId,
  };
  try {
    const res = await fetch(o.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(o.timeoutMs ?? 10_000) });
    await res.arrayBuffer().catch(() => undefined);
    if (res.ok) return true;
    o.log.info({ status: res.status, delivery: deliveryId }, 'webhook refused');
  } catch (err) {
    o.log.info({ err, delivery: deliveryId }, 'webhook failed');
  }
  return false;
}

/** The webhook channel. */
export function webhookChannel(o: WebhookOptions): ChannelSender {
  return {
    channel: 'webhook',
    targets: (_user, items) => [{ items }],
    send: async (d): Promise<SendResult> => ((await postSigned(o, webhookBody(d), d.id)) ? 'sent' : 'failed'),
  };
}
