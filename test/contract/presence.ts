/**
 * The PresenceStore contract: one suite for every backend. `make()` returns two stores that share their
 * backend (two processes, with Redis; the same object, in memory), closed by the suite.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { PresenceStore } from '../../src/reach/index.js';
import { eventually } from '../support/time.js';

export type MakePresence = () => Promise<{ a: PresenceStore; b: PresenceStore; shared: boolean }>;


const user = () => `u-${randomBytes(4).toString('hex')}`;

export function presenceContract(name: string, make: MakePresence): void {
  const withStores = (fn: (s: Awaited<ReturnType<MakePresence>>) => Promise<void>) => async () => {
    const s = await make();
    try {
      await fn(s);
    } finally {
      await s.a.close();
      if (s.b !== s.a) await s.b.close();
    }
  };

  test(`${name}: a user never seen is offline with lastSeen null`, withStores(async ({ a }) => {
    const u = user();
    assert.deepEqual(await a.get(u), { user: u, online: false, connections: 0, lastSeen: null });
  }));

  test(`${name}: connections are counted, on every store of the backend`, withStores(async ({ a, b, shared }) => {
    const u = user();
    a.connected(u, 1);
    a.connected(u, 2);
    const other = shared ? b : a;
    const p = await eventually(() => other.get(u), (v) => v.connections === 2);
    assert.equal(p.online, true);
    assert.ok(p.lastSeen !== null && Math.abs(Date.parse(p.lastSeen) - Date.now()) < 5000);
    if (shared) {
      b.connected(u, 1);
      await eventually(() => a.get(u), (v) => v.connections === 3);
      b.disconnected(u, 1);
    }
    a.disconnected(u, 1);
    await eventually(() => other.get(u), (v) => v.connections === 1);
  }));

  test(`${name}: the last disconnect leaves the user offline with the time last seen`, withStores(async ({ a }) => {
    const u = user();
    const before = Date.now();
    a.connected(u, 7);
    a.disconnected(u, 7);
    a.disconnected(u, 7); // twice: ignored
    const p = await eventually(() => a.get(u), (v) => !v.online && v.lastSeen !== null);
    assert.equal(p.connections, 0);
    assert.ok(Date.parse(p.lastSeen!) >= before - 1000);
  }));

  test(`${name}: users are independent`, withStores(async ({ a }) => {
    const [u, v] = [user(), user()];
    a.connected(u, 1);
    await eventually(() => a.get(u), (p) => p.online);
    assert.equal((await a.get(v)).online, false);
    a.disconnected(u, 1);
  }));
}
