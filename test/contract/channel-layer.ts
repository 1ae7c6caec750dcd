/**
 * The ChannelLayer contract, as one node:test suite run against every backend
 * (`channelLayerContract('memory', make)` in test/contract, Redis in test/integration/layer).
 */
import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ChannelFullError, TidingsError } from '../../src/errors.js';
import { DROPPED_TYPE, type ChannelLayer, type ChannelLayerOptions, type LayerMessage } from '../../src/layer/index.js';
import { collect, expectOnlyMarker, FakeClock } from './layer-helpers.js';

/** Options the suite passes to `make`: the standard ones plus a fake clock for expiry tests. */
export interface ContractLayerOptions extends ChannelLayerOptions {
  clock?: () => number;
}

/** Builds a fresh layer for one test (each call its own isolated namespace). */
export type MakeLayer = (options?: ContractLayerOptions) => Promise<ChannelLayer>;

const msg = (n: number): LayerMessage => ({ type: 'test.message', n });

const isCode = (code: string) => (err: unknown) => err instanceof TidingsError && err.code === code;

/** Run the contract suite for one backend. */
export function channelLayerContract(name: string, make: MakeLayer): void {
  async function open(t: TestContext, options?: ContractLayerOptions): Promise<ChannelLayer> {
    const layer = await make(options);
    t.after(() => layer.close());
    return layer;
  }

  describe(`ChannelLayer contract: ${name}`, () => {
    it('starts ready with zeroed stats', async (t) => {
      const layer = await open(t);
      assert.equal(layer.state, 'ready');
      assert.equal(layer.stats.delivered, 0);
      assert.equal(layer.stats.droppedFull, 0);
      assert.equal(layer.stats.droppedExpired, 0);
    });

    it('newChannel returns unique process-specific names', async (t) => {
      const layer = await open(t);
      const names = new Set(Array.from({ length: 1000 }, () => layer.newChannel()));
      assert.equal(names.size, 1000);
      for (const channel of names) assert.match(channel, /^specific\.[A-Za-z0-9_-]+![A-Za-z0-9_-]+$/);
      assert.match(layer.newChannel('ws.conn'), /^ws\.conn\.[A-Za-z0-9_-]+!/);
      assert.throws(() => layer.newChannel('bad prefix'), TypeError);
      assert.throws(() => layer.newChannel('a!b'), TypeError);
    });

    it('delivers messages sent before receive, in order', async (t) => {
      const layer = await open(t);
      const channel = layer.newChannel();
      for (let n = 0; n < 5; n++) await layer.send(channel, msg(n));
      const inbox = collect(layer, channel);
      assert.deepEqual((await inbox.take(5)).map((m) => m.n), [0, 1, 2, 3, 4]);
      assert.equal(layer.stats.delivered, 5);
    });

    it('delivers messages sent after receive, in order, never inside the sender call stack', async (t) => {
      const layer = await open(t);
      const channel = layer.newChannel();
      const seen: Array<{ n: unknown; inSend: boolean }> = [];
      let inSend = false;
      let done!: () => void;
      const all = new Promise<void>((resolve) => (done = resolve));
      layer.receive(channel, (m) => {
        seen.push({ n: m.n, inSend });
        if (seen.length === 50) done();
      });
      for (let n = 0; n < 50; n++) {
        inSend = true;
        const sent = layer.send(channel, msg(n));
        inSend = false;
        await sent;
      }
      await all;
      assert.deepEqual(seen.map((s) => s.n), Array.from({ length: 50 }, (_, n) => n));
      assert.ok(seen.every((s) => !s.inSend), 'a handler ran inside send()');
    });

    it('a second receive replaces the first', async (t) => {
      const layer = await open(t);
      const channel = layer.newChannel();
      const first = collect(layer, channel);
      await layer.send(channel, msg(1));
      assert.equal((await first.next()).n, 1);
      const second = collect(layer, channel);
      await layer.send(channel, msg(2));
      assert.equal((await second.next()).n, 2);
      await expectOnlyMarker(layer, channel, second);
      assert.equal(first.pending, 0);
    });

    it('after unsubscribing, messages wait for the next receiver', async (t) => {
      const layer = await open(t);
      const channel = layer.newChannel();
      const first = collect(layer, channel);
      const stop = layer.receive(channel, first.handler);
      stop();
      stop(); // idempotent
      await layer.send(channel, msg(1));
      await layer.send(channel, msg(2));
      const second = collect(layer, channel);
      assert.deepEqual((await second.take(2)).map((m) => m.n), [1, 2]);
      assert.equal(first.pending, 0);
    });

    it('a stale unsubscribe does not remove a newer receiver', async (t) => {
      const layer = await open(t);
      const channel = layer.newChannel();
      const stopOld = layer.receive(channel, () => {});
      const current = collect(layer, channel);
      stopOld();
      await layer.send(channel, msg(1));
      assert.equal((await current.next()).n, 1);
    });

    it('send throws ChannelFullError at capacity, and accepts again once drained', async (t) => {
      const layer = await open(t, { capacity: 3 });
      const channel = layer.newChannel();
      for (let n = 0; n < 3; n++) await layer.send(channel, msg(n));
      await assert.rejects(layer.send(channel, msg(3)), (err: unknown) => err instanceof ChannelFullError && err.code === 'CHANNEL_FULL');
      const inbox = collect(layer, channel);
      assert.deepEqual((await inbox.take(3)).map((m) => m.n), [0, 1, 2]);
      await layer.send(channel, msg(4));
      assert.equal((await inbox.next()).n, 4);
    });

    it('drops messages not received within expiry and counts them', async (t) => {
      const time = new FakeClock();
      const layer = await open(t, { expiry: 10, capacity: 2, clock: time.clock });
      const channel = layer.newChannel();
      await layer.send(channel, msg(1));
      await layer.send(channel, msg(2));
      time.advance(10_001);
      await layer.send(channel, msg(3)); // at capacity, but the expired ones make room
      const inbox = collect(layer, channel);
      assert.equal((await inbox.next()).n, 3);
      await expectOnlyMarker(layer, channel, inbox);
      assert.equal(layer.stats.droppedExpired, 2);
    });

    it('groupSend reaches every member once; groupAdd is idempotent; groupDiscard removes', async (t) => {
      const layer = await open(t);
      const channels = [layer.newChannel(), layer.newChannel(), layer.newChannel()];
      const inboxes = channels.map((c) => collect(layer, c));
      for (const c of channels) await layer.groupAdd('room.1', c);
      await layer.groupAdd('room.1', channels[0]!);
      await layer.groupSend('room.1', msg(1));
      for (const [i, inbox] of inboxes.entries()) {
        assert.equal((await inbox.next()).n, 1);
        await expectOnlyMarker(layer, channels[i]!, inbox);
      }
      await layer.groupDiscard('room.1', channels[1]!);
      await layer.groupDiscard('room.1', channels[1]!); // idempotent
      await layer.groupDiscard('no-such-group', layer.newChannel());
      await layer.groupSend('room.1', msg(2));
      assert.equal((await inboxes[0]!.next()).n, 2);
      assert.equal((await inboxes[2]!.next()).n, 2);
      await expectOnlyMarker(layer, channels[1]!, inboxes[1]!);
    });

    it('groupSend to a group without members resolves', async (t) => {
      const layer = await open(t);
      await layer.groupSend('empty', msg(1));
      assert.equal(layer.stats.delivered, 0);
    });

    it('groupSend skips a full member, counts it, and still reaches the others', async (t) => {
      const layer = await open(t, { capacity: 2 });
      const full = layer.newChannel();
      const ok = layer.newChannel();
      await layer.groupAdd('g', full);
      await layer.groupAdd('g', ok);
      await layer.send(full, msg(0));
      await layer.send(full, msg(0));
      const inbox = collect(layer, ok);
      await layer.groupSend('g', msg(1));
      assert.equal((await inbox.next()).n, 1);
      assert.equal(layer.stats.droppedFull, 1);
    });

    it('hands the same message object to every local member', async (t) => {
      const layer = await open(t);
      const channels = [layer.newChannel(), layer.newChannel(), layer.newChannel()];
      const inboxes = channels.map((c) => collect(layer, c));
      for (const c of channels) await layer.groupAdd('same', c);
      await layer.groupSend('same', { type: 'test.big', payload: 'x'.repeat(100) });
      const received = await Promise.all(inboxes.map((i) => i.next()));
      assert.ok(received[0] === received[1] && received[1] === received[2], 'members got different objects');
    });

    it('memberships of a channel nobody receives expire after groupExpiry unless renewed', async (t) => {
      const time = new FakeClock();
      const layer = await open(t, { groupExpiry: 60, clock: time.clock });
      const stale = layer.newChannel();
      const renewed = layer.newChannel();
      await layer.groupAdd('g', stale);
      await layer.groupAdd('g', renewed);
      time.advance(50_000);
      await layer.groupAdd('g', renewed);
      time.advance(20_000);
      await layer.groupSend('g', msg(1));
      const staleInbox = collect(layer, stale);
      const renewedInbox = collect(layer, renewed);
      assert.equal((await renewedInbox.next()).n, 1);
      await expectOnlyMarker(layer, stale, staleInbox);
    });

    it('a membership whose channel has a receiver outlives groupExpiry (an open connection keeps its groups)', async (t) => {
      const time = new FakeClock();
      const layer = await open(t, { groupExpiry: 60, clock: time.clock });
      const open_ = layer.newChannel();
      const inbox = collect(layer, open_);
      await layer.groupAdd('g', open_);
      time.advance(3 * 60_000);
      await layer.groupSend('g', msg(1));
      assert.equal((await inbox.next()).n, 1);
    });

    it('a full member\'s receiver learns of the drop: a layer.dropped notice after what it received', async (t) => {
      const layer = await open(t, { capacity: 2 });
      const slow = layer.newChannel();
      await layer.groupAdd('g', slow);
      for (let n = 1; n <= 5; n++) await layer.groupSend('g', msg(n));
      const inbox = collect(layer, slow);
      const got = await inbox.take(3);
      assert.deepEqual(got.map((m) => m.n ?? m.type), [1, 2, DROPPED_TYPE]);
      assert.equal(got[2]!.count, 3);
      assert.equal(layer.stats.droppedFull, 3);
      await expectOnlyMarker(layer, slow, inbox);
    });

    it('a handler that throws does not stop delivery', async (t) => {
      const layer = await open(t);
      const bad = layer.newChannel();
      const good = layer.newChannel();
      layer.receive(bad, () => {
        throw new Error('boom');
      });
      const inbox = collect(layer, good);
      await layer.groupAdd('g', bad);
      await layer.groupAdd('g', good);
      await layer.groupSend('g', msg(1));
      await layer.groupSend('g', msg(2));
      assert.deepEqual((await inbox.take(2)).map((m) => m.n), [1, 2]);
    });

    it('rejects invalid names and messages with TypeError', async (t) => {
      const layer = await open(t);
      const ch = layer.newChannel();
      const long = 'a'.repeat(100);
      assert.throws(() => layer.receive('bad name', () => {}), TypeError);
      await assert.rejects(layer.send('bad name', msg(1)), /bad name/);
      await assert.rejects(layer.send(`${long}!x`, msg(1)), TypeError);
      await assert.rejects(layer.send(ch, { n: 1 } as unknown as LayerMessage), TypeError);
      await assert.rejects(layer.send(ch, null as unknown as LayerMessage), TypeError);
      await assert.rejects(layer.groupAdd('bad!group', ch), /bad!group/);
      await assert.rejects(layer.groupAdd(long, ch), TypeError);
      await assert.rejects(layer.groupAdd('g', 'é'), TypeError);
      await assert.rejects(layer.groupDiscard('a b', ch), TypeError);
      await assert.rejects(layer.groupSend('', msg(1)), TypeError);
      await assert.rejects(layer.groupSend('g', { type: 5 } as unknown as LayerMessage), TypeError);
      await layer.groupAdd('a'.repeat(99), ch); // 99 characters is the longest valid name
    });

    it('close is idempotent; afterwards sends reject and cleanup calls are no-ops', async (t) => {
      const layer = await open(t);
      const ch = layer.newChannel();
      const inbox = collect(layer, ch);
      await layer.groupAdd('g', ch);
      const states: string[] = [];
      layer.onStateChange?.((s) => states.push(s));
      await Promise.all([layer.close(), layer.close()]);
      await layer.close();
      assert.equal(layer.state, 'closed');
      if (layer.onStateChange) assert.deepEqual(states, ['closed']);
      await assert.rejects(layer.send(ch, msg(1)), isCode('LAYER_UNAVAILABLE'));
      await assert.rejects(layer.groupSend('g', msg(1)), isCode('LAYER_UNAVAILABLE'));
      await assert.rejects(layer.groupAdd('g', ch), isCode('LAYER_UNAVAILABLE'));
      await layer.groupDiscard('g', ch);
      layer.receive(ch, () => assert.fail('delivered after close'))();
      assert.equal(inbox.pending, 0);
    });
  });
}
