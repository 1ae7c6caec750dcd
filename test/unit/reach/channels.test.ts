/** Channel helpers: webhook body and signature, email templates (escaped), push payload, retry delays. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Templates, composeEmail, defaultBackoff, pushPayload, render, webhookBody, webhookSignature } from '../../../src/reach/index.js';

const item = (kind: string, data: Record<string, unknown>, seq = 1) => ({ id: `n${seq}`, seq, kind, data, createdAt: '2026-01-01T00:00:00.000Z' });

test('webhook: the body has the pinned shape and the signature is HMAC-SHA256 over "<t>.<body>"', () => {
  const body = webhookBody({ user: 'alice', payload: { items: [item('reply', { a: 1 })] } });
  assert.deepEqual(JSON.parse(body), { type: 'notification.unseen', user: 'alice', notifications: [item('reply', { a: 1 })] });
  assert.equal(webhookSignature('s3cret', 1700000000, body), createHmac('sha256', 's3cret').update(`1700000000.${body}`).digest('hex'));
});

test('templates: {{data.x}} is HTML-escaped; a kind file wins over default.html over the built-in default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-templates-'));
  try {
    writeFileSync(join(dir, 'reply.html'), '<p>{{data.author.name}} replied: {{ data.text }} {{data.missing}}</p>');
    const t = new Templates(dir);
    const evil = item('reply', { author: { name: '<b>bob</b>' }, text: '"x" & \'y\'' });
    assert.equal(render(t.forKind('reply'), evil, 'alice'), '<p>&#60;b&#62;bob&#60;/b&#62; replied: &#34;x&#34; &#38; &#39;y&#39; </p>');
    assert.match(render(t.forKind('follow'), item('follow', { who: '<i>' }), 'alice'), /<strong>follow<\/strong> who: &#60;i&#62;/);
    writeFileSync(join(dir, 'default.html'), '<p>D {{kind}}</p>');
    assert.equal(render(new Templates(dir).forKind('follow'), item('follow', {}), 'a'), '<p>D follow</p>');
    assert.equal(new Templates(dir).forKind('../etc/passwd'), '<p>D {{kind}}</p>', 'kinds are not paths');
    const mail = composeEmail({ user: 'alice', payload: { items: [evil, item('follow', { who: 'x' }, 2)] } }, t);
    assert.equal(mail.subject, '2 unread notifications');
    assert.match(mail.text, /<b>bob<\/b> replied/);
    assert.doesNotMatch(mail.html, /<b>bob/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('push: the payload names the notifications and stays small', () => {
  const p = JSON.parse(pushPayload({ user: 'alice', payload: { items: [item('reply', { text: 'hello' }), item('follow', {}, 2)] } }));
  assert.deepEqual(p, { title: '2 unread notifications', body: 'hello\nfollow', tag: 'tidings-alice', data: { user: 'alice', ids: ['n1', 'n2'] } });
});

test('retry delays: the first retry within 10 s, then doubling to at most 5 minutes; 15 minutes hold over 10 retries', () => {
  assert.ok(defaultBackoff(1) <= 10_000);
  assert.ok(defaultBackoff(2) > defaultBackoff(1));
  assert.equal(defaultBackoff(30), 300_000);
  let total = 0;
  let n = 0;
  while (total + defaultBackoff(n + 1) <= 15 * 60_000) total += defaultBackoff(++n);
  assert.ok(n >= 7 && total >= 10 * 60_000, `${n} retries over ${total} ms`);
});
