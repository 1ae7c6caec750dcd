/**
 * `tidings serve` (the notification service) on the channels_redis layer: two processes sharing a Redis
 * through `--layer channels-redis` and one PostgreSQL database. A notification published on one reaches the
 * user's tab on the other, once, in order, with the unread count; a broadcast reaches both. This is step 6
 * of docs/migrating-from-channels.md run while Django still shares the Redis.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rawClient, REDIS_URL, redisSkipReason, uniquePrefix } from '../../support/services/redis.js';
import { apiCall, type ServerProcess } from '../../support/tidings.js';
import { twoProcesses } from '../../support/process-pair.js';
import { framesUntil } from '../../support/frames.js';
import { postgresSkipReason } from '../../support/services/postgres.js';

const skip = (await redisSkipReason()) ?? (await postgresSkipReason());

describe('tidings serve on --layer channels-redis: two processes', { skip }, () => {
  const prefix = uniquePrefix();
  let a: ServerProcess;
  let b: ServerProcess;
  const connect = twoProcesses(prefix, (url) => ['--layer', 'channels-redis', '--redis-url', REDIS_URL, '--layer-prefix', prefix, '--database-url', url], (pair) => void ({ a, b } = pair));

  it('notifications published on one process reach the tab on the other, in order; broadcasts reach both', async () => {
    const [onA, onB] = await Promise.all([connect(a, 'alice'), connect(b, 'alice')]);
    for (let i = 0; i < 5; i++) assert.equal((await apiCall(a.url, '/v1/notifications', { to: 'alice', kind: 'reply', data: { i } })).status, 201);
    for (const tab of [onA, onB]) {
      const frames = await framesUntil(tab, (f) => f.type === 'notification' && f.seq === 5, 10_000);
      assert.deepEqual(frames.filter((f) => f.type === 'notification').map((f) => f.seq), [1, 2, 3, 4, 5]);
    }
    assert.equal((await apiCall(b.url, '/v1/broadcasts', { kind: 'announcement', data: { text: 'hi' } })).status, 202);
    for (const tab of [onA, onB]) assert.equal((await framesUntil(tab, (f) => f.type === 'broadcast', 10_000)).at(-1)!.kind, 'announcement');
    const inspector = rawClient();
    const groups = await inspector.keys(`${prefix}:group:*`);
    inspector.disconnect();
    assert.ok(groups.length >= 2, `memberships live in channels_redis' group sets (${groups.join(', ')})`);
  });
});
