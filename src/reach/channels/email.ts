/**
 * The email channel: one message per delivery over SMTP (nodemailer, `TIDINGS_SMTP_URL`), from
 * `TIDINGS_EMAIL_FROM` to the address set with `PUT /v1/users/:id/contact`, listing the unseen notifications
 * with their kind's template (see templates.ts).
 */
import nodemailer from 'nodemailer';
import type { Logger } from '../../log/index.js';
import type { DeliveryRecord } from '../store.js';
import { Templates, escapeHtml, render } from './templates.js';
import type { ChannelSender, SendResult } from './types.js';

/** Options of {@link emailChannel}. */
export interface EmailOptions {
  smtpUrl: string;
  from: string;
  templatesDir?: string | undefined;
  log: Logger;
}

/** Subject, HTML and text of the message for a delivery. */
export function composeEmail(d: Pick<DeliveryRecord, 'user' | 'payload'>, templates: Templates): { subject: string; html: string; text: string } {
  const items = d.payload.items;
  const subject = items.length === 1 ? `New notification: ${items[0]!.kind}` : `${items.length} unread notifications`;
  const parts = items.map((i) => render(templates.forKind(i.kind), i, d.user));
  const html = `<!doctype html><html><body><h1>${escapeHtml(subject)}</h1>\n${parts.join('\n')}\n</body></html>`;
  const text = parts.map((p) => unescape(p.replace(/<[^>]*>/g, '').trim())).join('\n');
  return { subject, html, text };
}

function unescape(s: string): string {
  return s.replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)));
}

/** The email channel. */
export function emailChannel(o: EmailOptions): ChannelSender & { close(): void } {
  const transport = nodemailer.createTransport(o.smtpUrl);
  const templates = new Templates(o.templatesDir);
  return {
    channel: 'email',
    targets: (user, items) => (user.email ? [{ items, to: user.email }] : []),
    async send(d): Promise<SendResult> {
      if (!d.payload.to) return 'sent';
      try {
        await transport.sendMail({ from: o.from, to: d.payload.to, ...composeEmail(d, templates), headers: { 'Tidings-Delivery': d.id } });
        return 'sent';
      } catch (err) {
        o.log.info({ err, delivery: d.id }, 'email failed');
        return 'failed';
      }
    },
    close: () => transport.close(),
  };
}
