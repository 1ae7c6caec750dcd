/**
 * Presence through Redis: the PresenceStore contract with two stores (as two processes), and a process
 * killed with SIGKILL does not leave its user online: its entries expire.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createRedisPresence } from '../../../src/reach/index.js';
import { REDIS_URL, redisSkipReason, uniquePrefix } from '../../support/services/redis.js';
import { eventually } from '../../support/time.js';
import { Child } from '../../support/process.js';
import { presenceContract } from '../../contract/presence.js';

const skip = await redisSkipReason();
if (skip) {
  test('presence on Redis', { skip }, () => {});
} else {
  presenceContract('redis', async () => {
    const prefix = uniquePrefix();
    const [a, b] = await Promise.all([createRedisPresence({ url: REDIS_URL, prefix }), createRedisPresence({ url: REDIS_URL, prefix })]);
    return { a, b, shared: true };
  });

  test('redis: a process killed with SIGKILL leaves its user offline once its entries expire', async () => {
    const prefix = uniquePrefix();
    const reader = await createRedisPresence({ url: REDIS_URL, prefix, ttl: 1 });
    after(() => reader.close());
    const script = fileURLToPath(new URL('./fixtures/presence-holder.ts', import.meta.url));
    const child = Child.spawn({ args: ['--import', 'tsx', script, REDIS_URL, prefix, 'carol'], env: process.env });
    after(() => child.kill());
    await child.ready(child.log.waitForText(/^ready$/m, 20_000, 'presence holder ready'), 'presence holder');
    const online = await eventually(() => reader.get('carol'), (p) => p.online);
    assert.equal(online.connections, 1);
    // Held for two ttl periods: the holder's renewals keep it online.
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal((await reader.get('carol')).online, true);
    await child.kill();
    const gone = await eventually(() => reader.get('carol'), (p) => !p.online, 3000);
    assert.equal(gone.connections, 0);
    assert.notEqual(gone.lastSeen, null);
  });
}

