/**
 * Escalation by email to a real SMTP server (smtp-server, in the test): the address set with
 * PUT /v1/users/:id/contact, one message per digest, the kind's template from TIDINGS_TEMPLATES_DIR with
 * escaped placeholders, and the user's per-kind preferences applied.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { startTestServer } from '../../../src/testing/index.js';

interface Mail {
  from: string;
  to: string[];
  raw: string;
}

async function smtp(): Promise<{ url: string; mails: Mail[]; next(): Promise<Mail>; close(): Promise<void> }> {
  const mails: Mail[] = [];
  const waiting: ((m: Mail) => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const mail = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') };
        mails.push(mail);
        waiting.shift()?.(mail);
        done();
      });
    },
  });
  server.listen(0, '127.0.0.1');
  await once(server.server, 'listening');
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    next: () =>
      new Promise<Mail>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no mail within 8 s')), 8000);
        waiting.push((m) => {
          clearTimeout(timer);
          resolve(m);
        });
      }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The decoded text of a quoted-printable MIME part. */
function qp(s: string): string {
  return s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

test('unseen notifications go by email, templated and escaped, as the preferences allow', async () => {
  const mail = await smtp();
  const dir = mkdtempSync(join(tmpdir(), 'tidings-mail-'));
  writeFileSync(join(dir, 'reply.html'), '<p class="reply">{{data.author}} replied: {{data.text}}</p>');
  const srv = await startTestServer({
    settings: { escalateAfter: 1, smtpUrl: mail.url, emailFrom: 'Tidings <tidings@example.test>', templatesDir: dir },
    reach: { pollMs: 50 },
  });
  after(async () => {
    await srv.close();
    await mail.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const contact = await srv.api('/v1/users/alice/contact', { method: 'PUT', body: { email: 'alice@example.test' } });
  assert.equal(contact.status, 200);
  await srv.api('/v1/users/alice/preferences', { method: 'PUT', body: { kinds: { follow: { email: false } } } });
  const arrived = mail.next();
  // Published together: stored in one commit, due at the same moment, so one email.
  await Promise.all([
    srv.notify('alice', { kind: 'reply', data: { author: '<script>bob</script>', text: 'see you & soon' } }),
    srv.notify('alice', { kind: 'follow', data: { who: 'carol' } }),
    srv.notify('alice', { kind: 'reply', data: { author: 'dan', text: 'second' } }),
    srv.notify('nomail', { kind: 'reply', data: {} }), // no address: no email
  ]);
  const m = await arrived;
  assert.equal(m.from, 'tidings@example.test');
  assert.deepEqual(m.to, ['alice@example.test']);
  const raw = qp(m.raw);
  assert.match(raw, /Subject: 2 unread notifications/);
  assert.match(raw, /<p class="reply">&#60;script&#62;bob&#60;\/script&#62; replied: see you &#38; soon<\/p>/);
  assert.match(raw, /<p class="reply">dan replied: second<\/p>/);
  assert.doesNotMatch(raw, /carol/, 'follow is switched off for email');
  assert.doesNotMatch(raw, /<script>bob<\/script> replied: see you &#38;/, 'never raw in the HTML');
  assert.match(raw, /Tidings-Delivery: dlv_[0-9a-f]{24}/);
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /tidings_escalations_total\{channel="email",result="sent"\} 1/);
  assert.equal(mail.mails.length, 1);
});
