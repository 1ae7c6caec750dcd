/** `tidings vapid` prints a fresh VAPID key pair as environment lines, usable by web-push. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import webpush from 'web-push';
import { runCli } from '../../support/tidings.js';

test('tidings vapid prints a fresh, valid key pair each time', async () => {
  const [a, b] = [await runCli(['vapid']), await runCli(['vapid'])];
  assert.equal(a.code, 0, a.stderr);
  const m = /^TIDINGS_VAPID_PUBLIC_KEY=([A-Za-z0-9_-]{87})\nTIDINGS_VAPID_PRIVATE_KEY=([A-Za-z0-9_-]{43})\n$/.exec(a.stdout);
  assert.ok(m, a.stdout);
  assert.notEqual(a.stdout, b.stdout);
  webpush.setVapidDetails('mailto:ops@example.test', m[1]!, m[2]!); // throws for a malformed pair
  assert.equal(Buffer.from(m[1]!, 'base64url').length, 65);
});
