/**
 * Sockets served by daphne and by Tidings (`npm run example:inform`), side by side on one channels_redis
 * Redis: the blog post's `send_inform()` (a Django management command, `async_to_sync(group_send)`) reaches
 * both, and so does Tidings' own `sendInform` (the example's POST /comment). A rolling move's mixed fleet.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openSocket } from '../../support/frames.js';
import { REDIS_URL, redisSkipReason, uniquePrefix } from '../../support/services/redis.js';
import { djangoSkipReason, manageSendInform, startSideBySide, type Daphne } from '../../support/services/django.js';
import type { ServerProcess } from '../../support/tidings.js';
import type { TestSocket } from '../../../src/testing/index.js';

const skip = (await redisSkipReason()) ?? djangoSkipReason();

const FROM_DJANGO = { func: 'comment', username: 'alice', article: 'Channels 评论', head_image: '/static/alice.png', trigger_username: 'bob' };
const FROM_TIDINGS = { func: 'comment', username: 'alice', article: 'Channels in TypeScript', head_image: '/static/alice.png', trigger_username: 'bob' };

for (const backend of ['core', 'pubsub'] as const) {
  describe(`daphne and Tidings side by side on channels_redis (${backend})`, { skip }, () => {
    const prefix = uniquePrefix();
    const djangoLayer = { redisUrl: REDIS_URL, prefix, backend };
    let pair: Awaited<ReturnType<typeof startSideBySide>>;
    let daphne: Daphne;
    let tidings: ServerProcess;
    const sockets: TestSocket[] = [];
    before(async () => {
      pair = await startSideBySide(djangoLayer, { TIDINGS_LAYER: backend === 'core' ? 'channels-redis' : 'channels-redis-pubsub' });
      ({ daphne, tidings } = pair);
    });
    after(async () => {
      for (const s of sockets) s.close();
      await pair?.stop();
    });

    async function connect(url: string): Promise<TestSocket> {
      const socket = await openSocket(`${url.replace('http', 'ws')}/inform/`);
      sockets.push(socket);
      return socket;
    }

    it("Django's send_inform() reaches sockets served by Tidings and by daphne", async () => {
      const onTidings = [await connect(tidings.url), await connect(tidings.url)];
      const onDaphne = await connect(daphne.url);
      await manageSendInform(djangoLayer, ['comment', 'alice', 'Channels 评论', '/static/alice.png', 'bob']);
      for (const s of [...onTidings, onDaphne]) assert.deepEqual(await s.nextFrame(10_000), FROM_DJANGO);
    });

    it("Tidings' groupSend (the example's POST /comment) reaches a consumer served by daphne", async () => {
      const onDaphne = await connect(daphne.url);
      const onTidings = await connect(tidings.url);
      const res = await fetch(`${tidings.url}/comment`, { method: 'POST' });
      assert.equal(res.status, 202);
      assert.deepEqual(await onDaphne.nextFrame(10_000), FROM_TIDINGS);
      assert.deepEqual(await onTidings.nextFrame(10_000), FROM_TIDINGS);
    });
  });
}
