import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createInformServer } from '../../../examples/inform/server.js';
import { sendInform } from '../../../examples/inform/send-inform.js';
import { TestSocket } from '../../../src/testing/index.js';
import type { TidingsServer } from '../../../src/index.js';

let server: TidingsServer;
let wsUrl: string;
before(async () => {
  server = createInformServer({ host: '127.0.0.1', port: 0 });
  await server.listen();
  wsUrl = `${server.url.replace('http', 'ws')}/inform/`;
});
after(() => server.close());

const N = 25;

describe('examples/inform: the seed ported', () => {
  it('a message sent from outside any consumer reaches all N connected sockets', async () => {
    const sockets = await Promise.all(Array.from({ length: N }, () => TestSocket.open(wsUrl)));
    await sendInform('comment', 'alice', 'Channels in TypeScript', '/a.png', 'bob');
    for (const s of sockets) {
      assert.deepEqual(await s.nextFrame(), { func: 'comment', username: 'alice', article: 'Channels in TypeScript', head_image: '/a.png', trigger_username: 'bob' });
    }
    for (const s of sockets) s.close();
  });

  it('the HTTP "comment posted" view pushes to connected browsers', async () => {
    const s = await TestSocket.open(wsUrl);
    const res = await fetch(`${server.url}/comment`, { method: 'POST' });
    assert.equal(res.status, 202);
    assert.equal((await s.nextFrame()).func, 'comment');
    s.close();
  });

  it('a client-sent message is broadcast to the group (the seed bug fixed: no crash)', async () => {
    const [a, b] = await Promise.all([TestSocket.open(wsUrl), TestSocket.open(wsUrl)]);
    a!.send({ func: 'like', username: 'carol' });
    for (const s of [a!, b!]) assert.deepEqual(await s.nextFrame(), { func: 'like', username: 'carol', article: '', head_image: '', trigger_username: '' });
    a!.send({ message: 'the seed client sent only this' });
    const err = await a!.nextFrame();
    assert.equal(err.type, 'error');
    assert.equal(err.code, 'INVALID_FRAME');
    a!.close();
    b!.close();
  });

  it('disconnect leaves the group', async () => {
    const [stays, leaves] = await Promise.all([TestSocket.open(wsUrl), TestSocket.open(wsUrl)]);
    leaves!.close();
    await leaves!.closed();
    await waitFor(() => server.connections === 1);
    await sendInform('follow', 'alice', '', '', 'carol');
    assert.equal((await stays!.nextFrame()).func, 'follow');
    assert.equal(leaves!.pending, 0);
    stays!.close();
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}
