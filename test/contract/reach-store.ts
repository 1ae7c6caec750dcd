/**
 * The ReachStore contract (src/reach's tables in the inbox database), one suite for SQLite and PostgreSQL.
 * `make()` opens an inbox on the suite's database; stores made in one test share that database.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { InboxStore } from '../../src/inbox/index.js';
import { NO_PREFERENCES, planner, reachStoreFor, type ChannelSender, type DueUser, type Planner } from '../../src/reach/index.js';

export type MakeInbox = () => Promise<InboxStore>;

const id = (p: string) => `${p}-${randomBytes(4).toString('hex')}`;
const FUTURE = () => new Date(Date.now() + 60_000);

/** A channel that plans one delivery per user and never sends. */
const recorder: ChannelSender = { channel: 'webhook', targets: (_u, items) => [{ items }], send: async () => 'sent' };

export function reachStoreContract(name: string, make: MakeInbox): void {
  const withInbox = (fn: (inbox: InboxStore, more: () => Promise<InboxStore>) => Promise<void>) => async () => {
    const opened: InboxStore[] = [];
    const open = async () => {
      const inbox = await make();
      opened.push(inbox);
      return inbox;
    };
    try {
      await fn(await open(), open);
    } finally {
      for (const i of opened) await i.close();
    }
  };

  test(`${name}: preferences, contact and push subscriptions round-trip`, withInbox(async (inbox) => {
    const store = reachStoreFor(inbox);
    const u = id('alice');
    assert.deepEqual(await store.getPreferences(u), NO_PREFERENCES);
    const prefs = { channels: { email: false }, kinds: { reply: { email: true, push: false } } };
    await store.putPreferences(u, prefs);
    assert.deepEqual(await store.getPreferences(u), prefs);
    assert.equal(await store.getEmail(u), null);
    await store.setEmail(u, 'alice@example.test');
    assert.equal(await store.getEmail(u), 'alice@example.test');
    await store.setEmail(u, null);
    assert.equal(await store.getEmail(u), null);
    const sub = { endpoint: `https://push.example.test/${id('s')}`, p256dh: 'k', auth: 'a' };
    await store.addSubscription(u, sub);
    assert.equal(await store.removeSubscription(sub.endpoint, id('mallory')), false, 'another user cannot remove it');
    assert.equal(await store.removeSubscription(sub.endpoint, u), true);
    assert.equal(await store.removeSubscription(sub.endpoint), false);
  }));

  test(`${name}: the schedule holds every notification stored after it is installed, until taken or seen`, withInbox(async (inbox) => {
    const store = reachStoreFor(inbox);
    const [alice, bob] = [id('alice'), id('bob')];
    await inbox.add({ userId: alice, kind: 'before', data: {} });
    await store.installSchedule();
    await store.installSchedule(); // idempotent
    const base = (await store.backlog()).pending;
    const a = await inbox.addMany([1, 2, 3].map((n) => ({ userId: alice, kind: n === 2 ? 'follow' : 'reply', data: { n } })));
    const b = await inbox.add({ userId: bob, kind: 'reply', data: {} });
    assert.equal((await store.backlog()).pending, base + 4);
    await inbox.markRead(alice, [a[0]!.notification.id]);
    await store.forgetSeen(new Map([[bob, b.notification.seq]]));
    assert.equal((await store.backlog()).pending, base + 3);
    assert.equal(await store.escalateDue(new Date(Date.now() - 60_000), 100, () => assert.fail('nothing is due yet')), 0);
    const seen: DueUser[] = [];
    const plan: Planner = (due) => {
      seen.push(...due.filter((d) => d.user === alice || d.user === bob));
      return planner([recorder])(due);
    };
    const taken = await store.escalateDue(FUTURE(), 1000, plan);
    assert.ok(taken >= 3);
    assert.equal(seen.length, 1, 'bob saw his; alice gets one digest');
    assert.deepEqual(seen[0]!.items.map((i) => i.data), [{ n: 2 }, { n: 3 }], 'read before the deadline: left out');
    assert.deepEqual(seen[0]!.items.map((i) => i.seq), [a[1]!.notification.seq, a[2]!.notification.seq]);
    assert.equal(seen[0]!.items[0]!.kind, 'follow');
    assert.equal((await store.backlog()).pending, 0);
  }));

  test(`${name}: deliveries are leased, retried at the given time, and finished`, withInbox(async (inbox) => {
    const store = reachStoreFor(inbox);
    await store.installSchedule();
    const u = id('carol');
    await inbox.add({ userId: u, kind: 'reply', data: { text: 'hi' } });
    await store.escalateDue(FUTURE(), 1000, planner([recorder]));
    const now = new Date();
    const mine = (await store.claimDeliveries(now, 10_000, 1000)).filter((d) => d.user === u);
    assert.equal(mine.length, 1);
    const d = mine[0]!;
    assert.equal(d.attempts, 1);
    assert.equal(d.channel, 'webhook');
    assert.deepEqual(d.payload.items.map((i) => i.data), [{ text: 'hi' }]);
    assert.equal((await store.claimDeliveries(now, 10_000, 1000)).filter((x) => x.id === d.id).length, 0, 'leased');
    const again = (await store.claimDeliveries(new Date(now.getTime() + 11_000), 10_000, 1000)).find((x) => x.id === d.id);
    assert.equal(again?.attempts, 2, 'taken again once the lease ended');
    await store.settleDeliveries([], new Map([[d.id, new Date(now.getTime() + 1000)]]));
    assert.equal((await store.claimDeliveries(new Date(now.getTime() + 2000), 10_000, 1000)).find((x) => x.id === d.id)?.attempts, 3);
    await store.settleDeliveries([d.id], new Map());
    assert.equal((await store.claimDeliveries(new Date(now.getTime() + 60_000), 10_000, 1000)).find((x) => x.id === d.id), undefined);
  }));

  test(`${name}: two stores taking at once take each schedule row and each delivery once`, withInbox(async (inbox, more) => {
    const other = await more();
    const [s1, s2] = [reachStoreFor(inbox), reachStoreFor(other)];
    await s1.installSchedule();
    const users = Array.from({ length: 40 }, () => id('dave'));
    await inbox.addMany(users.map((u) => ({ userId: u, kind: 'reply', data: {} })));
    const planned: string[] = [];
    const plan: Planner = (due) => {
      planned.push(...due.map((d) => d.user).filter((u) => users.includes(u)));
      return planner([recorder])(due);
    };
    const take = async (s: typeof s1) => {
      while ((await s.escalateDue(FUTURE(), 5, plan)) > 0);
    };
    await Promise.all([take(s1), take(s2)]);
    assert.deepEqual([...planned].sort(), [...users].sort());
    const claimed: string[] = [];
    const claim = async (s: typeof s1) => {
      for (;;) {
        const got = await s.claimDeliveries(new Date(), 60_000, 7);
        if (got.length === 0) return;
        claimed.push(...got.filter((d) => users.includes(d.user)).map((d) => d.user));
      }
    };
    await Promise.all([claim(s1), claim(s2)]);
    assert.deepEqual(claimed.sort(), [...users].sort());
  }));
}
