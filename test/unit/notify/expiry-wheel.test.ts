import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ExpiryWheel } from '../../../src/notify/expiry-wheel.js';

/** A wheel whose expiries are recorded with the time they fired; `next()` awaits the next one (5 s at most). */
function recordingWheel() {
  const fired: Array<{ item: string; at: number }> = [];
  const waiters: Array<() => void> = [];
  const wheel = new ExpiryWheel<string>((item) => {
    fired.push({ item, at: Date.now() });
    waiters.shift()?.();
  });
  // The wheel's timer is unref'd (it must not keep a server alive): the deadline keeps the test's loop alive.
  const next = () =>
    new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('nothing expired within 5 s')), 5000);
      waiters.push(() => {
        clearTimeout(deadline);
        resolve();
      });
    });
  return { wheel, fired, next };
}

describe('ExpiryWheel', () => {
  it('expires an item at its time, not before', async () => {
    const { wheel, fired, next } = recordingWheel();
    const at = Date.now() + 200;
    wheel.add('a', at);
    assert.equal(wheel.size, 1);
    await next();
    assert.equal(fired[0]?.item, 'a');
    assert.ok((fired[0]?.at ?? 0) >= at, 'not before its time');
    assert.equal(wheel.size, 0);
  });

  it('a deleted item never expires, its bucket neighbour does', async () => {
    const { wheel, fired, next } = recordingWheel();
    const at = Math.ceil(Date.now() / 1000) * 1000 + 1000;
    wheel.add('gone', at);
    wheel.add('stays', at);
    wheel.delete('gone', at);
    wheel.delete('unknown', at);
    await next();
    assert.deepEqual(fired.map((f) => f.item), ['stays']);
  });

  it('an earlier item added after a later one fires first; the later one keeps waiting', async () => {
    const { wheel, fired, next } = recordingWheel();
    const late = Date.now() + 60_000;
    wheel.add('late', late);
    wheel.add('early', Date.now() + 100);
    await next();
    assert.deepEqual(fired.map((f) => f.item), ['early']);
    assert.equal(wheel.size, 1);
    wheel.delete('late', late);
    assert.equal(wheel.size, 0);
  });

  it('an expiry beyond setTimeout range waits instead of firing at once', async () => {
    const { wheel, fired, next } = recordingWheel();
    const far = Date.now() + 2 ** 33;
    wheel.add('far', far);
    wheel.add('soon', Date.now() + 50);
    await next();
    assert.deepEqual(fired.map((f) => f.item), ['soon']);
    assert.equal(wheel.size, 1);
    wheel.delete('far', far);
    assert.equal(wheel.size, 0);
  });
});
