import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Consumer, JsonConsumer, originValidator, route, stack, urlRouter, type EventHandlers } from '../../../src/consumer/index.js';
import { startAppServer, TestSocket, type AppServer } from '../../../src/testing/index.js';
import { handshakeRequest } from '../../support/wire/handshake.js';

class Echo extends JsonConsumer {
  override async receiveJson(content: unknown): Promise<void> {
    if ((content as { boom?: boolean }).boom) throw new Error('boom');
    this.sendJson({ echo: content });
  }
}
class Raw extends Consumer {
  override handlers: EventHandlers<this> = {};
}

let srv: AppServer;
before(async () => {
  const app = stack(urlRouter([route('/echo/', Echo.asApp()), route('/raw/', Raw.asApp())]), originValidator([]));
  srv = await startAppServer(app, { settings: { maxPayload: 1024 } });
});
after(() => srv.close());

describe('server: one port for HTTP and WebSocket', () => {
  it('GET /healthz answers 200', async () => {
    const res = await fetch(`${srv.url}/healthz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
  });

  it('an unknown WebSocket path is refused with 404 before the upgrade', async () => {
    await assert.rejects(srv.connect('/nowhere/'), (err: Error & { status?: number }) => err.status === 404);
  });

  it('a disallowed Origin is refused with 403', async () => {
    await assert.rejects(srv.connect('/echo/', { headers: { origin: 'https://evil.test' } }), (err: Error & { status?: number }) => err.status === 403);
  });

  it('a same-origin browser connects', async () => {
    const host = new URL(srv.url).host;
    const ws = await srv.connect('/echo/', { headers: { origin: `http://${host}` } });
    ws.send({ a: 1 });
    assert.deepEqual(await ws.nextFrame(), { echo: { a: 1 } });
    ws.close();
  });

  it('non-JSON text gets an error frame with a code and the connection stays open', async () => {
    const ws = await srv.connect('/echo/');
    ws.send('not json');
    const err = await ws.nextFrame();
    assert.equal(err.type, 'error');
    assert.equal(err.code, 'BAD_JSON');
    ws.send({ still: 'open' });
    assert.deepEqual(await ws.nextFrame(), { echo: { still: 'open' } });
    ws.close();
  });

  it('a frame over maxPayload closes with 1009', async () => {
    const ws = await srv.connect('/echo/');
    ws.send('x'.repeat(2048));
    assert.equal((await ws.closed()).code, 1009);
  });

  it('a binary frame to a text-only consumer closes with 1003', async () => {
    const ws = await srv.connect('/echo/');
    ws.ws.send(Buffer.from([1, 2, 3]));
    assert.equal((await ws.closed()).code, 1003);
  });

  it('a consumer that throws closes only its own connection with 4000', async () => {
    const bystander = await srv.connect('/echo/');
    const victim = await srv.connect('/echo/');
    victim.send({ boom: true });
    assert.equal((await victim.closed()).code, 4000);
    bystander.send({ after: 'boom' });
    assert.deepEqual(await bystander.nextFrame(), { echo: { after: 'boom' } });
    bystander.close();
  });

  it('a malformed handshake gets 400, not a crash', async () => {
    const { port } = new URL(srv.url);
    const reply = await new Promise<string>((resolve) => {
      const s = connect(Number(port), '127.0.0.1', () => {
        s.write(handshakeRequest('/echo/', [], { key: 'short' }));
      });
      let data = '';
      s.on('data', (c) => (data += c.toString()));
      s.on('close', () => resolve(data));
    });
    assert.match(reply, /^HTTP\/1\.1 400/);
    assert.match(reply, /Sec-WebSocket-Key/);
    const ws = await srv.connect('/echo/');
    ws.close();
  });

  it('counts open connections and drains with 4001 on close', async () => {
    const app = urlRouter([route('/raw/', Raw.asApp())]);
    const own = await startAppServer(app);
    const a: TestSocket = await own.connect('/raw/');
    const b: TestSocket = await own.connect('/raw/');
    assert.equal(own.server.connections, 2);
    const closing = own.close();
    assert.equal((await a.closed()).code, 4001);
    assert.equal((await b.closed()).code, 4001);
    await closing;
    assert.equal(own.server.connections, 0);
  });
});
