/**
 * MemoryChannelLayer beyond the shared contract: batching, re-entrancy, bounded memory, options.
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { ChannelFullError, isTidingsError } from '../../../src/errors.js';
import { createMemoryChannelLayer, type LayerMessage, type MemoryChannelLayerOptions } from '../../../src/layer/index.js';
import { createLogger } from '../../../src/log/index.js';
import { collect, expectOnlyMarker, FakeClock } from '../../contract/layer-helpers.js';

function open(t: TestContext, options: MemoryChannelLayerOptions = {}) {
  const layer = createMemoryChannelLayer(options);
  t.after(() => layer.close());
  return layer;
}

const nextMacrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('MemoryChannelLayer', () => {
  it('hands the sender its own object (no clone) and delivers in a microtask, not synchronously', async (t) => {
    const layer = open(t);
    const ch = layer.newChannel();
    const got: LayerMessage[] = [];
    layer.receive(ch, (m) => got.push(m));
    const message = { type: 'x' };
    const sent = layer.send(ch, message);
    assert.equal(got.length, 0, 'delivered inside send()');
    await sent;
    assert.equal(got.length, 1);
    assert.ok(got[0] === message);
  });

  it('fans one group send out to 5000 members in one batch with the same object', async (t) => {
    const layer = open(t, { capacity: 10 });
    let calls = 0;
    const firstOf = new Map<unknown, LayerMessage>();
    let same = true;
    for (let i = 0; i < 5000; i++) {
      const ch = layer.newChannel();
      layer.receive(ch, (m) => {
        calls++;
        if (!firstOf.has(m.n)) firstOf.set(m.n, m);
        same &&= firstOf.get(m.n) === m;
      });
      await layer.groupAdd('all', ch);
    }
    for (let n = 0; n < 20; n++) await layer.groupSend('all', { type: 'tick', n });
    await nextMacrotask();
    assert.equal(calls, 100_000);
    assert.equal(firstOf.size, 20);
    assert.ok(same, 'members of one send got different objects');
    assert.equal(layer.stats.delivered, 100_000);
    assert.equal(layer.stats.droppedFull, 0);
  });

  it('counts messages awaiting delivery toward capacity (a synchronous burst is bounded)', async (t) => {
    const layer = open(t, { capacity: 2 });
    const ch = layer.newChannel();
    const inbox = collect(layer, ch);
    const results = await Promise.allSettled([1, 2, 3].map((n) => layer.send(ch, { type: 'x', n })));
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected']);
    assert.ok((results[2] as PromiseRejectedResult).reason instanceof ChannelFullError);
    assert.deepEqual((await inbox.take(2)).map((m) => m.n), [1, 2]);
  });

  it('a handler sending to its own channel gets that message in a later batch, in send order', async (t) => {
    const layer = open(t);
    const ch = layer.newChannel();
    const order: unknown[] = [];
    layer.receive(ch, (m) => {
      order.push(m.n);
      if (typeof m.n !== 'number' || m.n >= 3) return;
      void layer.send(ch, { type: 'x', n: m.n + 10 });
      order.push(`end${m.n}`);
    });
    await layer.send(ch, { type: 'x', n: 1 });
    await layer.send(ch, { type: 'x', n: 2 });
    await nextMacrotask();
    assert.deepEqual(order, [1, 'end1', 11, 2, 'end2', 12]); // 11 was sent (by the handler) before 2
  });

  it('a handler that unsubscribes mid-batch leaves the rest waiting, in order', async (t) => {
    const layer = open(t);
    const ch = layer.newChannel();
    const first: unknown[] = [];
    const stop = layer.receive(ch, (m) => {
      first.push(m.n);
      stop();
    });
    for (let n = 1; n <= 3; n++) void layer.send(ch, { type: 'x', n });
    await nextMacrotask();
    assert.deepEqual(first, [1]);
    const second = collect(layer, ch);
    assert.deepEqual((await second.take(2)).map((m) => m.n), [2, 3]);
  });

  it('a receiver replaced mid-batch: the rest go to the new receiver', async (t) => {
    const layer = open(t);
    const ch = layer.newChannel();
    const second = collect(layer, ch); // placeholder, replaced below
    const first: unknown[] = [];
    layer.receive(ch, (m) => {
      first.push(m.n);
      layer.receive(ch, second.handler);
    });
    for (let n = 1; n <= 3; n++) void layer.send(ch, { type: 'x', n });
    assert.deepEqual((await second.take(2)).map((m) => m.n), [2, 3]);
    assert.deepEqual(first, [1]);
  });

  it('a message that expires before its batch runs is dropped', async (t) => {
    const time = new FakeClock();
    const layer = open(t, { expiry: 1, clock: time.clock });
    const ch = layer.newChannel();
    const inbox = collect(layer, ch);
    void layer.send(ch, { type: 'x', n: 1 });
    time.advance(1000);
    await nextMacrotask();
    assert.equal(inbox.pending, 0);
    assert.equal(layer.stats.droppedExpired, 1);
  });

  it('frees channels and groups nobody uses (bounded memory)', async (t) => {
    const time = new FakeClock();
    const layer = open(t, { expiry: 10, groupExpiry: 100, clock: time.clock });
    const stop = layer.receive(layer.newChannel(), () => {});
    assert.deepEqual(layer.usage(), { channels: 1, groups: 0 });
    stop();
    assert.deepEqual(layer.usage(), { channels: 0, groups: 0 });

    for (let i = 0; i < 100; i++) await layer.send(layer.newChannel(), { type: 'orphan' });
    const member = layer.newChannel();
    await layer.groupAdd('g', member);
    assert.deepEqual(layer.usage(), { channels: 101, groups: 1 });
    time.advance(10_001);
    layer.sweep();
    assert.deepEqual(layer.usage(), { channels: 1, groups: 1 }, 'orphan messages expired, channels freed');
    assert.equal(layer.stats.droppedExpired, 100);
    time.advance(100_000);
    layer.sweep();
    assert.deepEqual(layer.usage(), { channels: 0, groups: 0 }, 'expired membership freed');
  });

  it('groupDiscard of the last member frees the group and its idle channel', async (t) => {
    const layer = open(t);
    const ch = layer.newChannel();
    await layer.groupAdd('g', ch);
    await layer.groupAdd('h', ch);
    await layer.groupDiscard('g', ch);
    assert.deepEqual(layer.usage(), { channels: 1, groups: 1 });
    await layer.groupDiscard('h', ch);
    assert.deepEqual(layer.usage(), { channels: 0, groups: 0 });
  });

  it('a full channel makes room as its messages expire', async (t) => {
    const time = new FakeClock();
    const layer = open(t, { capacity: 2, expiry: 5, clock: time.clock });
    const ch = layer.newChannel();
    await layer.send(ch, { type: 'x', n: 1 });
    time.advance(3000);
    await layer.send(ch, { type: 'x', n: 2 });
    await assert.rejects(layer.send(ch, { type: 'x', n: 3 }), ChannelFullError);
    time.advance(2000); // n=1 expires, n=2 not yet
    await layer.send(ch, { type: 'x', n: 4 });
    const inbox = collect(layer, ch);
    assert.deepEqual((await inbox.take(2)).map((m) => m.n), [2, 4]);
    await expectOnlyMarker(layer, ch, inbox);
  });

  it('a channel kept full for long does not grow its buffer', async (t) => {
    const time = new FakeClock();
    const layer = open(t, { capacity: 3, expiry: 1, clock: time.clock });
    const ch = layer.newChannel();
    for (let i = 0; i < 1000; i++) {
      await layer.send(ch, { type: 'x', n: i });
      time.advance(400);
    }
    const inbox = collect(layer, ch);
    assert.deepEqual((await inbox.take(2)).map((m) => m.n), [998, 999]);
    assert.equal(layer.stats.droppedExpired, 998);
  });

  it('accepts plain (not process-specific) channel names', async (t) => {
    const layer = open(t);
    await layer.send('worker.tasks', { type: 'job' });
    const inbox = collect(layer, 'worker.tasks');
    assert.equal((await inbox.next()).type, 'job');
  });

  it('logs a throwing handler with the channel and keeps going', async (t) => {
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk, _enc, cb) => (lines.push(String(chunk)), cb()) });
    const layer = open(t, { logger: createLogger({ level: 'warn', destination }) });
    const ch = layer.newChannel();
    let calls = 0;
    layer.receive(ch, () => {
      calls++;
      throw new Error('boom');
    });
    await layer.send(ch, { type: 'x' });
    await layer.send(ch, { type: 'y' });
    await nextMacrotask();
    assert.equal(calls, 2);
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /message handler threw/);
    assert.ok(lines[0]!.includes(ch));
  });

  it('close drops pending deliveries and tells state listeners once', async (t) => {
    const layer = open(t);
    const ch = layer.newChannel();
    layer.receive(ch, () => assert.fail('delivered after close'));
    const changes: string[] = [];
    layer.onStateChange((state, previous) => changes.push(`${previous}->${state}`));
    void layer.send(ch, { type: 'x' });
    await layer.close();
    await layer.close();
    await nextMacrotask();
    assert.deepEqual(changes, ['ready->closed']);
    assert.deepEqual(layer.usage(), { channels: 0, groups: 0 });
  });

  it('validates options and arguments up front, naming the option', (t) => {
    assert.throws(() => createMemoryChannelLayer({ capacity: 0 }), /capacity must be a positive integer, got 0/);
    // A bad option is a configuration error from the error table, naming the option in `details`.
    assert.throws(() => createMemoryChannelLayer({ capacity: 1.5 }), (err: unknown) => isTidingsError(err) && err.code === 'CONFIG_INVALID' && (err.details as { option?: string }).option === 'capacity');
    assert.throws(() => createMemoryChannelLayer({ expiry: -1 }), /expiry/);
    assert.throws(() => createMemoryChannelLayer({ groupExpiry: Number.NaN }), /groupExpiry/);
    assert.throws(() => createMemoryChannelLayer({ prefix: 'bad prefix' }), TypeError);
    assert.throws(() => open(t).receive('ok', 5 as never), /handler function/);
  });

  it('defaults: capacity 100', async (t) => {
    const layer = open(t);
    const ch = layer.newChannel();
    for (let i = 0; i < 100; i++) await layer.send(ch, { type: 'x' });
    await assert.rejects(layer.send(ch, { type: 'x' }), ChannelFullError);
  });
});
