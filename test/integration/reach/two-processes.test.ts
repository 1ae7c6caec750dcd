/**
 * Escalation with two server processes on one PostgreSQL database and one Redis: N unseen notifications
 * give exactly N webhook notifications, none twice; a process killed (SIGKILL) after it took a delivery and
 * before the receiver answered loses nothing: the other process sends it when the lease ends, with the
 * same `Tidings-Delivery`.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, test } from 'node:test';
import { TEST_API_KEY } from '../../../src/testing/index.js';
import { REDIS_URL, redisSkipReason, uniquePrefix } from '../../support/services/redis.js';
import { serveEscalating } from './escalating.js';
import { freshPostgresDatabase, postgresSkipReason } from '../../support/services/postgres.js';
import { WebhookReceiver, type Held } from './webhook-receiver.js';

const SECRET = 'two-process-secret';


const notify = (url: string, to: string, kind: string) =>
  fetch(`${url}/v1/notifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to, kind, data: { to } }),
  }).then(async (r) => {
    assert.equal(r.status, 201);
    return ((await r.json()) as { id: string }).id;
  });

const skip = (await postgresSkipReason()) ?? (await redisSkipReason());
test('two processes on PostgreSQL + Redis: exactly N escalated, none twice; a killed process loses nothing', { skip }, async () => {
  const db = await freshPostgresDatabase();
  after(() => db.drop());
  const hook = await WebhookReceiver.start(SECRET);
  after(() => hook.close());
  const env = (name: string) => ({
    TIDINGS_DATABASE_URL: db.url,
    TIDINGS_REDIS_URL: REDIS_URL,
    TIDINGS_LAYER_PREFIX: prefix,
    TIDINGS_ESCALATE_AFTER: '1',
    TIDINGS_WEBHOOK_URL: `${hook.url}?from=${name}`,
    TIDINGS_WEBHOOK_SECRET: SECRET,
    TIDINGS_ENV: 'test',
    TIDINGS_PORT: '0',
    TIDINGS_HOST: '127.0.0.1',
    TIDINGS_DEMO: 'false',
    REACH_TIMINGS: JSON.stringify({ pollMs: 100, leaseMs: 2000, backoffMs: 200 }),
  });
  const prefix = uniquePrefix();
  const a = await serveEscalating(env('a'));
  const b = await serveEscalating(env('b'));

  // N unseen notifications, published through both processes, for several users.
  const N = 60;
  const ids = await Promise.all(Array.from({ length: N }, (_, i) => notify(i % 2 ? a.url : b.url, `user${i % 12}`, 'reply')));
  const delivered: string[] = [];
  for (;;) {
    const got = await hook.waitAccepted(hook.accepted.size + 1, 15_000);
    delivered.length = 0;
    for (const x of got) delivered.push(...x.body.notifications.map((n) => n.id));
    if (delivered.length >= N) break;
  }
  assert.equal(delivered.length, N, 'exactly N notifications');
  assert.deepEqual([...new Set(delivered)].sort(), [...ids].sort(), 'each once');
  assert.equal(hook.attempts.length, hook.accepted.size, 'no attempt was repeated');
  assert.ok(new Set(hook.attempts.map((x) => x.delivery)).size === hook.attempts.length);

  // The process that takes the victim's delivery is killed while the receiver holds the request.
  let held: Held | undefined;
  hook.hold = (h) => h.body.user === 'victim' && held === undefined;
  const heldNow = once(hook, 'held') as Promise<[Held]>;
  const victimId = await notify(a.url, 'victim', 'reply');
  [held] = await heldNow;
  const killed = held.path.includes('from=a') ? a : b;
  killed.child.kill('SIGKILL');
  await once(killed.child, 'exit');
  const before = hook.accepted.size;
  const [resent] = (await hook.waitAccepted(before + 1, 15_000)).slice(before);
  assert.equal(resent!.delivery, held.delivery, 'the same Tidings-Delivery');
  assert.deepEqual(resent!.body.notifications.map((n) => n.id), [victimId]);
  assert.ok(!hook.attempts.find((x) => x.delivery === held!.delivery && x.status !== 204), 'sent once it was answered');
});
