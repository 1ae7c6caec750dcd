/**
 * Notification ids: 26-character, ULID-shaped strings (Crockford base32) made of a 48-bit millisecond
 * timestamp followed by 80 random bits, so ids sort by creation time (to the millisecond) and never need
 * coordination between processes. Ordering within one user is given by `seq`, not by the id.
 */
import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

// One getrandom() call per 256 ids instead of one per id.
const pool = Buffer.allocUnsafe(RANDOM_CHARS * 256);
let poolOffset = pool.length;

/** Length of every id returned by {@link newId}. */
export const ID_LENGTH = TIME_CHARS + RANDOM_CHARS;

/**
 * A new unique id whose first 10 characters encode `timeMs` (default now), so ids created in later
 * milliseconds sort after earlier ones. The remaining 80 bits are cryptographically random.
 */
export function newId(timeMs: number = Date.now()): string {
  let time = '';
  let t = Math.max(0, Math.floor(timeMs));
  for (let i = 0; i < TIME_CHARS; i++) {
    time = ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  if (poolOffset + RANDOM_CHARS > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let random = '';
  // 256 is a multiple of 32, so the low 5 bits of a random byte are uniformly distributed.
  for (let i = 0; i < RANDOM_CHARS; i++) random += ALPHABET[pool[poolOffset++]! & 31]!;
  return time + random;
}
