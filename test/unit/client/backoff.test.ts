import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackoff } from '../../../src/client/backoff.js';

test('full jitter: each delay lies in [0, min(max, base * 2^n))', () => {
  const high = createBackoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => high.next()), [99, 199, 399, 799, 999, 999]);
  const low = createBackoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
  assert.deepEqual([1, 2, 3].map(() => low.next()), [0, 0, 0]);
});

test('with Math.random, delays stay within their caps', () => {
  const backoff = createBackoff({ baseMs: 50, maxMs: 800 });
  for (let round = 0; round < 200; round++) {
    for (let n = 0; n < 8; n++) {
      const delay = backoff.next();
      assert.ok(delay >= 0 && delay < Math.min(800, 50 * 2 ** n), `attempt ${n}: ${delay}`);
    }
    backoff.reset();
  }
});

test('reset goes back to the first window', () => {
  const backoff = createBackoff({ baseMs: 100, maxMs: 10_000, random: () => 0.5 });
  assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [50, 100, 200]);
  backoff.reset();
  assert.equal(backoff.next(), 50);
});

test('the exponent stops growing at the cap (no overflow after many attempts)', () => {
  const backoff = createBackoff({ baseMs: 1, maxMs: 30_000, random: () => 0.5 });
  for (let i = 0; i < 5000; i++) backoff.next();
  assert.equal(backoff.next(), 15_000);
});
