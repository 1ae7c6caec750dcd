import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeNotification, relativeTime } from '../../../src/widget/describe.js';

test('known kinds read like sentences', () => {
  assert.deepEqual(describeNotification('comment', { from: 'bob', article: 'Hello', text: 'Nice!' }), {
    actor: 'bob',
    text: 'bob commented on your article “Hello”',
    detail: 'Nice!',
  });
  assert.equal(describeNotification('reply', { from: 'bob', article: 'Hello' }).text, 'bob replied to your comment on “Hello”');
  assert.equal(describeNotification('follow', { from: 'carol' }).text, 'carol started following you');
  assert.equal(describeNotification('mention', { from: 'dan' }).text, 'dan mentioned you');
  assert.equal(describeNotification('like', { from: 'eve', article: 'Hi' }).text, 'eve liked your post “Hi”');
  assert.deepEqual(describeNotification('announcement', { from: 'admin', text: 'Down at 23:00' }), {
    actor: 'admin',
    text: 'Announcement from admin',
    detail: 'Down at 23:00',
  });
});

test('unknown kinds, missing fields and the Django field names get sensible text', () => {
  assert.equal(describeNotification('comment', {}).text, 'Someone commented on your article');
  assert.deepEqual(describeNotification('build_failed', { message: 'main is red' }), { actor: '', text: 'New build failed', detail: 'main is red' });
  assert.equal(describeNotification('reply', { trigger_username: 'bob', article: 'A' }).text, 'bob replied to your comment on “A”');
  assert.equal(describeNotification('follow', { from: { nested: true } }).text, 'Someone started following you');
});

test('payload strings are passed through as plain text (the widget renders them with textContent), trimmed', () => {
  const payload = '<img src=x onerror="alert(1)">';
  assert.equal(describeNotification('comment', { from: 'bob', text: payload }).detail, payload);
  const long = describeNotification('comment', { from: 'bob', text: 'x'.repeat(1000) }).detail;
  assert.equal(long.length, 160);
  assert.ok(long.endsWith('…'));
});

test('relativeTime', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  assert.equal(relativeTime('2025-01-01T11:59:50Z', now), 'just now');
  assert.match(relativeTime('2025-01-01T11:55:00Z', now), /5/);
  assert.match(relativeTime('2024-12-31T12:00:00Z', now), /yesterday|1 day/);
  assert.equal(relativeTime('not a date', now), '');
});

test('items lead somewhere: data.url when it is http(s) or relative, else the kind\'s href template', async () => {
  const { hrefOf, safeHref, describeItem } = await import('../../../src/widget/describe.js');
  assert.equal(hrefOf('comment', { url: '/posts/7#c19' }), '/posts/7#c19');
  assert.equal(hrefOf('comment', { url: 'https://example.com/a' }), 'https://example.com/a');
  for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,x', 'vbscript:x']) assert.equal(safeHref(bad), undefined, bad);
  assert.equal(hrefOf('comment', { url: 'javascript:alert(1)' }), undefined);
  assert.equal(hrefOf('comment', { post: 7, comment: 'a b' }, { comment: '/posts/{post}#c{comment}' }), '/posts/7#ca%20b');
  assert.equal(hrefOf('comment', { post: 7 }, { comment: '/posts/{post}#c{comment}' }), undefined, 'a missing field: no link');
  assert.equal(hrefOf('follow', { post: 7 }, { comment: '/posts/{post}' }), undefined);
  const item = { id: 'n1', seq: 1, kind: 'deploy', data: { env: 'prod' }, createdAt: new Date().toISOString(), readAt: null };
  const { EN } = await import('../../../src/widget/strings.js');
  const custom = describeItem(item, EN, {}, (i) => ({ text: `Deployed to ${String(i.data.env)}`, href: 'javascript:x' }));
  assert.equal(custom.text, 'Deployed to prod');
  assert.equal(custom.href, undefined, "a hook's link is checked like data.url");
  assert.equal(describeItem(item, EN, {}, () => undefined).text, 'New deploy');
});

test('the strings table: German built in, chosen by the page language, with overrides on top', async () => {
  const { stringsFor } = await import('../../../src/widget/strings.js');
  const de = stringsFor('de-AT');
  assert.equal(describeNotification('comment', { from: 'bob', article: 'Hallo' }, de).text, 'bob hat deinen Artikel “Hallo” kommentiert');
  assert.equal(describeNotification('follow', {}, de).text, 'Jemand folgt dir jetzt');
  assert.equal(de.markAll, 'Alle als gelesen markieren');
  assert.equal(stringsFor('fr').markAll, 'Mark all as read', 'unknown languages fall back to English');
  const custom = stringsFor('en', { markAll: 'Clear', kinds: { deploy: ({ actor }) => `${actor} deployed` } });
  assert.equal(custom.markAll, 'Clear');
  assert.equal(describeNotification('deploy', { from: 'ci' }, custom).text, 'ci deployed');
  assert.equal(describeNotification('comment', { from: 'ci' }, custom).text, 'ci commented on your article', 'built-in kinds stay');
});

test('relative times follow the given locale, not the machine', () => {
  const now = Date.parse('2026-01-01T12:00:00Z');
  assert.equal(relativeTime('2026-01-01T11:57:00Z', now, 'en'), '3 min. ago');
  assert.equal(relativeTime('2026-01-01T11:57:00Z', now, 'de'), 'vor 3 Min.');
  assert.equal(relativeTime('2026-01-01T11:59:50Z', now, 'de', 'gerade eben'), 'gerade eben');
});
