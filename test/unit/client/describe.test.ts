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
