/**
 * Write coalescing on the hot path: the frames a socket gets in one turn of the event loop leave in at most
 * two writes to the kernel (the first one at once when the loop was quiet, the rest together), even when
 * they were sent from several callbacks (several publishes read in one poll phase); frame order holds across
 * the fast path and ws's own frames (close).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { Consumer, type EventHandlers } from '../../../src/consumer/index.js';
import type { LayerMessage } from '../../../src/layer/index.js';
import { startAppServer, type AppServer } from '../../../src/testing/index.js';

type Say = LayerMessage & { text: string; close?: number };

class Member extends Consumer {
  override groups = ['room'];
  override handlers: EventHandlers<this> = {
    say(this: Member, event: Say) {
      this.send(event.text);
      if (event.close !== undefined) this.close(event.close, 'bye');
    },
  };
}

/** Counts the server socket's writes to the kernel (`_write` and `_writev` calls) from now on. */
function countWrites(socket: Socket): { readonly count: number } {
  const counter = { count: 0 };
  const target = socket as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  for (const name of ['_write', '_writev'] as const) {
    const original = target[name].bind(socket);
    target[name] = (...args: unknown[]) => {
      counter.count++;
      return original(...args);
    };
  }
  return counter;
}

let srv: AppServer;
const serverSockets: Socket[] = [];
before(async () => {
  srv = await startAppServer(Member.asApp());
  srv.server.httpServer.on('connection', (socket: Socket) => serverSockets.push(socket));
});
after(() => srv.close());

/**
 * Send `texts` to the room, each from its own callback, all in the same turn of the loop: immediates queued
 * together run in one check phase (timers of 0 ms could straddle a millisecond on a loaded machine and land
 * in two turns).
 */
function sayFromSeparateCallbacks(texts: readonly string[], close?: number): void {
  texts.forEach((text, i) => {
    const last = i === texts.length - 1;
    setImmediate(() => void srv.layer.groupSend('room', { type: 'say', text: JSON.stringify({ n: text }), ...(last && close !== undefined ? { close } : {}) }));
  });
}

describe('server: at most two writes per socket per turn of the event loop', () => {
  it('four frames sent from four callbacks in one turn reach the kernel in at most two writes, in order', async () => {
    const client = await srv.connect('/');
    const socket = serverSockets.at(-1) as Socket;
    const writes = countWrites(socket);
    sayFromSeparateCallbacks(['one', 'two', 'three', 'four']);
    assert.deepEqual(await client.nextFrame(), { n: 'one' });
    assert.deepEqual(await client.nextFrame(), { n: 'two' });
    assert.deepEqual(await client.nextFrame(), { n: 'three' });
    assert.deepEqual(await client.nextFrame(), { n: 'four' });
    assert.ok(writes.count >= 1 && writes.count <= 2, `${writes.count} writes`);
    client.close();
  });

  it('a close sent after fast-path frames arrives after them', async () => {
    const client = await srv.connect('/');
    sayFromSeparateCallbacks(['a', 'b'], 4000);
    assert.deepEqual(await client.nextFrame(), { n: 'a' });
    assert.deepEqual(await client.nextFrame(), { n: 'b' });
    assert.equal((await client.closed()).code, 4000);
  });
});

class Greeter extends Consumer {
  override async connect(): Promise<void> {
    this.accept();
    this.send(JSON.stringify({ n: 'hello' }));
    this.send(JSON.stringify({ n: 'resumed' }));
  }
}

describe('server: the upgrade answer leaves with the first frames', () => {
  it('the 101 and the frames sent in the same turn as accept() reach the kernel in one write', async () => {
    const greeter = await startAppServer(Greeter.asApp());
    const writes: Array<{ readonly count: number }> = [];
    greeter.server.httpServer.on('connection', (socket: Socket) => writes.push(countWrites(socket)));
    try {
      const client = await greeter.connect('/');
      assert.deepEqual(await client.nextFrame(), { n: 'hello' });
      assert.deepEqual(await client.nextFrame(), { n: 'resumed' });
      assert.equal(writes.length, 1);
      assert.equal(writes[0]?.count, 1, `${writes[0]?.count} writes for the 101 and two frames`);
      client.close();
    } finally {
      await greeter.close();
    }
  });
});
