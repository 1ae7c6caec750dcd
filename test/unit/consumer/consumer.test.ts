import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, JsonConsumer, type EventHandlers, type ReceivedData } from '../../../src/consumer/index.js';
import { createMemoryChannelLayer, type ChannelLayer, type LayerMessage } from '../../../src/layer/index.js';
import { WebsocketCommunicator } from '../../../src/testing/index.js';

let layer: ChannelLayer;
beforeEach(() => {
  layer = createMemoryChannelLayer();
});
afterEach(() => layer.close());

interface ChatEvent extends LayerMessage {
  type: 'chat.message';
  text: string;
}

class Echo extends JsonConsumer {
  override groups = ['room'];
  override handlers: EventHandlers<this> = {
    'chat.message': (e: ChatEvent) => this.sendJson({ said: e.text }),
  };
  override async receiveJson(content: unknown): Promise<void> {
    await this.layer.groupSend('room', { type: 'chat.message', text: String((content as { text?: unknown }).text) });
  }
}

describe('Consumer lifecycle', () => {
  it('accepts by default and joins its groups before connect', async () => {
    const c = new WebsocketCommunicator(Echo.asApp(), '/room/', { layer });
    assert.deepEqual(await c.connect(), { accepted: true, subprotocol: undefined });
    await layer.groupSend('room', { type: 'chat.message', text: 'hi' });
    assert.deepEqual(await c.receiveJson(), { said: 'hi' });
    await c.disconnect();
  });

  it('a client message is group-sent and reaches every member', async () => {
    const a = new WebsocketCommunicator(Echo.asApp(), '/room/', { layer });
    const b = new WebsocketCommunicator(Echo.asApp(), '/room/', { layer });
    await a.connect();
    await b.connect();
    a.sendJson({ text: 'hello' });
    assert.deepEqual(await a.receiveJson(), { said: 'hello' });
    assert.deepEqual(await b.receiveJson(), { said: 'hello' });
  });

  it('disconnect leaves the groups', async () => {
    const a = new WebsocketCommunicator(Echo.asApp(), '/room/', { layer });
    const b = new WebsocketCommunicator(Echo.asApp(), '/room/', { layer });
    await a.connect();
    await b.connect();
    await a.disconnect();
    await layer.groupSend('room', { type: 'chat.message', text: 'after' });
    assert.deepEqual(await b.receiveJson(), { said: 'after' });
    assert.equal(await a.receiveNothing(), true);
  });

  it('close() before accept refuses the handshake with 403', async () => {
    class Refuser extends Consumer {
      override connect(): void {
        this.close();
      }
    }
    const c = new WebsocketCommunicator(Refuser.asApp(), '/', { layer });
    const result = await c.connect();
    assert.equal(result.accepted, false);
    assert.equal(result.accepted === false && result.status, 403);
  });

  it('connect() that neither accepts nor closes is refused with 403', async () => {
    class Silent extends Consumer {
      override connect(): void {}
    }
    const result = await new WebsocketCommunicator(Silent.asApp(), '/', { layer }).connect();
    assert.equal(result.accepted === false && result.status, 403);
  });

  it('an event with no handler is dropped, and later events still arrive', async () => {
    const c = new WebsocketCommunicator(Echo.asApp(), '/', { layer });
    await c.connect();
    await layer.groupSend('room', { type: 'unknown.event' });
    await layer.groupSend('room', { type: 'chat.message', text: 'still here' });
    assert.deepEqual(await c.receiveJson(), { said: 'still here' });
  });

  it('a handler that throws closes that connection with 4000, others keep working', async () => {
    class Fragile extends JsonConsumer {
      override groups = ['room', 'fragile'];
      override handlers: EventHandlers<this> = {
        boom: () => {
          throw new Error('boom');
        },
        'chat.message': (e: ChatEvent) => this.sendJson({ said: e.text }),
      };
    }
    const fragile = new WebsocketCommunicator(Fragile.asApp(), '/', { layer });
    const sturdy = new WebsocketCommunicator(Echo.asApp(), '/', { layer });
    await fragile.connect();
    await sturdy.connect();
    await layer.groupSend('fragile', { type: 'boom' });
    assert.equal((await fragile.receiveClose()).code, 4000);
    await layer.groupSend('room', { type: 'chat.message', text: 'ok' });
    assert.deepEqual(await sturdy.receiveJson(), { said: 'ok' });
  });

  it('an async receive that rejects closes with 4000', async () => {
    class Rejecting extends Consumer {
      override async receive(_d: ReceivedData): Promise<void> {
        throw new Error('nope');
      }
    }
    const c = new WebsocketCommunicator(Rejecting.asApp(), '/', { layer });
    await c.connect();
    c.sendText('x');
    assert.equal((await c.receiveClose()).code, 4000);
  });

  it('processes client messages and events one at a time, in order', async () => {
    const seen: string[] = [];
    class Slow extends Consumer {
      override async receive(d: ReceivedData): Promise<void> {
        await new Promise((r) => setImmediate(r));
        seen.push(d.text ?? '');
        this.send(d.text ?? '');
      }
    }
    const c = new WebsocketCommunicator(Slow.asApp(), '/', { layer });
    await c.connect();
    for (const t of ['1', '2', '3']) c.sendText(t);
    for (const t of ['1', '2', '3']) assert.deepEqual(await c.receiveOutput(), { type: 'text', text: t });
    assert.deepEqual(seen, ['1', '2', '3']);
  });
});

describe('JsonConsumer', () => {
  it('answers non-JSON text with a BAD_JSON error frame and keeps the connection', async () => {
    const c = new WebsocketCommunicator(Echo.asApp(), '/', { layer });
    await c.connect();
    c.sendText('{not json');
    const err = await c.receiveJson<{ type: string; code: string }>();
    assert.equal(err.type, 'error');
    assert.equal(err.code, 'BAD_JSON');
    c.sendJson({ text: 'fine' });
    assert.deepEqual(await c.receiveJson(), { said: 'fine' });
  });

  it('closes with 4500 after more than 10 unusable frames in 10 s', async () => {
    const c = new WebsocketCommunicator(Echo.asApp(), '/', { layer });
    await c.connect();
    for (let i = 0; i < 11; i++) c.sendText('nope');
    for (let i = 0; i < 11; i++) assert.equal((await c.receiveJson<{ code: string }>()).code, 'BAD_JSON');
    assert.equal((await c.receiveClose()).code, 4500);
  });

  it('closes with 1003 on a binary frame', async () => {
    const c = new WebsocketCommunicator(Echo.asApp(), '/', { layer });
    await c.connect();
    c.sendBytes(Buffer.from([1, 2, 3]));
    assert.equal((await c.receiveClose()).code, 1003);
  });
});

