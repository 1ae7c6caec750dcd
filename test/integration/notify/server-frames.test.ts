/**
 * Every frame the server sends on `/inform/` passes the browser client's check, which reads the one table
 * of server frame fields (protocol/server-frames.ts): hello, replayed and live notifications, resumed,
 * unread, broadcast, error and pong, as a real server sends them.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerFrame } from '../../../src/client/parse.js';
import { SERVER_FRAME_FIELDS } from '../../../src/protocol/server-frames.js';
import { startTestServer, type Frame, type TestServer } from '../../../src/testing/index.js';

describe('server frames against the client\'s table', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server?.close());

  it('each frame type the server sends carries the fields the table names', async () => {
    await server.notify('frames-alice', { kind: 'reply', data: { n: 1 } });
    const socket = await server.connect('/inform/', { user: 'frames-alice', since: 0 });
    const seen: Frame[] = [await socket.nextOfType('hello'), await socket.nextOfType('notification'), await socket.nextOfType('resumed')];
    await server.notify('frames-alice', { kind: 'reply', data: { n: 2 } });
    const live = await socket.nextOfType('notification');
    seen.push(live);
    socket.send({ type: 'read', ids: [live.id] });
    seen.push(await socket.nextOfType('unread'));
    assert.equal((await server.api('/v1/broadcasts', { body: { kind: 'notice', data: {} } })).status, 202);
    seen.push(await socket.nextOfType('broadcast'));
    socket.send({ type: 'nonsense' });
    seen.push(await socket.nextOfType('error'));
    socket.send({ type: 'ping' });
    seen.push(await socket.nextOfType('pong'));
    for (const frame of seen) {
      const parsed = parseServerFrame(JSON.stringify(frame));
      assert.ok(parsed !== null && 'frame' in parsed, `refused: ${JSON.stringify(frame)}`);
    }
    const missing = Object.keys(SERVER_FRAME_FIELDS).filter((type) => type !== 'ping' && !seen.some((f) => f.type === type));
    assert.deepEqual(missing, [], 'every frame type but the server ping (a constant) was seen');
    // And the check is a real one: a frame without a field the table names is refused.
    const { unread: _dropped, ...incomplete } = live;
    assert.deepEqual(parseServerFrame(JSON.stringify(incomplete)), { error: 'notification frame: unread must be a number' });
    socket.close();
  });
});
