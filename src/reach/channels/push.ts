/**
 * The Web Push channel (VAPID, RFC 8291/8292, no vendor): one message per subscription of the user, with
 * the `web-push` package. A 404 or 410 from the push service means the subscription is gone: it is removed.
 * The payload is JSON `{title, body, tag, data: {user, ids}}` for the service worker (public/tidings-sw.js)
 * to show.
 */
import webpush from 'web-push';
import type { Logger } from '../../log/index.js';
import type { DeliveryRecord, ReachStore } from '../store.js';
import type { ChannelSender, SendResult } from './types.js';

/** Options of {@link pushChannel}. */
export interface PushOptions {
  publicKey: string;
  privateKey: string;
  /** `mailto:` or `https:` contact of the sender. */
  subject: string;
  store: ReachStore;
  log: Logger;
  /** Seconds the push service keeps an undelivered message. Default 86400. */
  ttl?: number;
}

/** The text of a push message for a delivery. */
export function pushPayload(d: Pick<DeliveryRecord, 'user' | 'payload'>): string {
  const items = d.payload.items;
  const first = items[0]!;
  const summary = (i: (typeof items)[number]) => {
    const text = ['title', 'text', 'body', 'message'].map((k) => i.data[k]).find((v) => typeof v === 'string');
    return typeof text === 'string' ? text : i.kind;
  };
  const title = items.length === 1 ? first.kind : `${items.length} unread notifications`;
  const body = items.map(summary).join('\n').slice(0, 1000);
  return JSON.stringify({ title, body, tag: `tidings-${d.user}`, data: { user: d.user, ids: items.map((i) => i.id) } });
}

/** A fresh VAPID key pair (base64url), as `tidings vapid` prints. */
export function generateVapidKeys(): { publicKey: string; privateKey: string } {
  return webpush.generateVAPIDKeys();
}

/** The Web Push channel. */
export function pushChannel(o: PushOptions): ChannelSender {
  const vapidDetails = { subject: o.subject, publicKey: o.publicKey, privateKey: o.privateKey };
  return {
    channel: 'push',
    targets: (user, items) => user.subscriptions.map((subscription) => ({ items, subscription })),
    async send(d): Promise<SendResult> {
      const sub = d.payload.subscription;
      if (!sub) return 'sent';
      try {
        const target = { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } };
        await webpush.sendNotification(target, pushPayload(d), { vapidDetails, TTL: o.ttl ?? 86_400, timeout: 10_000 });
        return 'sent';
      } catch (err) {
        const status = (err as { statusCode?: number }).statusCode;
        if (status === 404 || status === 410) {
          await o.store.removeSubscription(sub.endpoint).catch(() => undefined);
          o.log.info({ status, delivery: d.id }, 'push subscription gone: removed');
          return 'gone';
        }
        o.log.info({ err, status, delivery: d.id }, 'push failed');
        return 'failed';
      }
    },
  };
}
