/**
 * Opt-in `user.online` / `user.offline` webhook events: debounced (a reload is not an offline-online pair),
 * signed like escalations; with two processes on Redis, each change is posted once, and a user whose tab was
 * on a process killed with SIGKILL is announced offline by the other process once the entries expire.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { signToken } from '../../../src/auth/index.js';
import { TEST_JWT_SECRET, TestSocket, startTestServer } from '../../../src/testing/index.js';
import { REDIS_URL, redisSkipReason, uniquePrefix } from '../../support/services/redis.js';
import { serveEscalating } from './escalating.js';
import { WebhookReceiver } from './webhook-receiver.js';

const SECRET = 'presence-secret';
type Event = { type: string; user: string; at: string };
const events = (hook: WebhookReceiver, user: string) =>
  [...hook.accepted.values()].map((a) => a.body as unknown as Event).filter((e) => e.user === user).map((e) => e.type);

test('one process: online once, a reload says nothing, offline after the last tab closes', async () => {
  const hook = await WebhookReceiver.start(SECRET);
  const srv = await startTestServer({ settings: { webhookUrl: hook.url, webhookSecret: SECRET, webhookPresence: true }, reach: { presenceDebounceMs: 200 } });
  after(async () => {
    await srv.close();
    await hook.close();
  });
  let tab = await srv.connect('/inform/', { user: 'alice' });
  await tab.nextOfType('hello');
  await hook.waitAccepted(1);
  assert.deepEqual(events(hook, 'alice'), ['user.online']);
  tab.close();
  await tab.closed();
  tab = await srv.connect('/inform/', { user: 'alice' }); // a reload
  await tab.nextOfType('hello');
  tab.close();
  await tab.closed();
  const [, offline] = await hook.waitAccepted(2);
  assert.deepEqual(events(hook, 'alice'), ['user.online', 'user.offline']);
  assert.equal((offline!.body as unknown as Event).type, 'user.offline');
  assert.ok(hook.attempts.every((a) => a.validSignature));
});


const skip = await redisSkipReason();
test('two processes on Redis: each change posted once; a killed process\'s user goes offline', { skip }, async () => {
  const hook = await WebhookReceiver.start(SECRET);
  after(() => hook.close());
  const env = {
    TIDINGS_DATABASE_URL: 'sqlite::memory:',
    TIDINGS_REDIS_URL: REDIS_URL,
    TIDINGS_LAYER_PREFIX: uniquePrefix(),
    TIDINGS_WEBHOOK_URL: hook.url,
    TIDINGS_WEBHOOK_SECRET: SECRET,
    TIDINGS_WEBHOOK_PRESENCE: 'true',
    TIDINGS_ENV: 'test',
    TIDINGS_PORT: '0',
    TIDINGS_HOST: '127.0.0.1',
    TIDINGS_DEMO: 'false',
    REACH_TIMINGS: JSON.stringify({ presenceTtl: 1, presenceDebounceMs: 200 }),
  };
  const [a, b] = await Promise.all([serveEscalating(env), serveEscalating(env)]);
  const token = await signToken(TEST_JWT_SECRET, 'ivan', { ttlSeconds: 600 });
  const tabs = await Promise.all([a.url, b.url].map((url) => TestSocket.open(`${url.replace(/^http/, 'ws')}/inform/?token=${token}`)));
  after(() => tabs.forEach((t) => t.close()));
  for (const t of tabs) await t.nextOfType('hello');
  await hook.waitAccepted(1);
  // Closing the tab on b leaves ivan online (his tab on a); then a dies: only b's sweep can tell.
  tabs[1]!.close();
  await tabs[1]!.closed();
  a.child.kill('SIGKILL');
  await once(a.child, 'exit');
  await hook.waitAccepted(2, 10_000);
  assert.deepEqual(events(hook, 'ivan'), ['user.online', 'user.offline'], 'once each, though two processes saw the changes');
});
