/**
 * `ExpiryWheel`: things due at a time (connections whose token expires), kept in one-second buckets and
 * watched by one timer for all of them, instead of a `Timeout` and a closure per connection. An item is
 * expired in the first timer run at or after its time; token expiries are whole seconds (JWT `exp`), so
 * they fire on time.
 */

const BUCKET_MS = 1000;
/** setTimeout's longest delay; a later bucket is reached by re-arming. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class ExpiryWheel<T> {
  readonly #buckets = new Map<number, Set<T>>();
  readonly #onExpire: (item: T) => void;
  readonly #clock: () => number;
  #timer: NodeJS.Timeout | null = null;
  /** The bucket the timer is set for (Infinity: no timer). */
  #timerBucket = Infinity;

  /** @param onExpire called once per item when its time comes (exceptions are the caller's to avoid). */
  constructor(onExpire: (item: T) => void, clock: () => number = Date.now) {
    this.#onExpire = onExpire;
    this.#clock = clock;
  }

  /** Items waiting. */
  get size(): number {
    let size = 0;
    for (const bucket of this.#buckets.values()) size += bucket.size;
    return size;
  }

  /** Expire `item` at `expiresAt` (ms since epoch). */
  add(item: T, expiresAt: number): void {
    const key = Math.ceil(expiresAt / BUCKET_MS);
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      bucket = new Set();
      this.#buckets.set(key, bucket);
    }
    bucket.add(item);
    if (key < this.#timerBucket) this.#schedule(key);
  }

  /** Forget `item`, added with `expiresAt`. Unknown items are fine. */
  delete(item: T, expiresAt: number): void {
    const key = Math.ceil(expiresAt / BUCKET_MS);
    const bucket = this.#buckets.get(key);
    if (bucket?.delete(item) && bucket.size === 0) this.#buckets.delete(key);
  }

  #schedule(key: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerBucket = key;
    this.#timer = setTimeout(this.#fire, Math.min(MAX_DELAY_MS, Math.max(0, key * BUCKET_MS - this.#clock())));
    this.#timer.unref();
  }

  readonly #fire = (): void => {
    this.#timer = null;
    this.#timerBucket = Infinity;
    const now = this.#clock();
    let next = Infinity;
    const due: Array<Set<T>> = [];
    for (const [key, bucket] of this.#buckets) {
      if (key * BUCKET_MS <= now) {
        this.#buckets.delete(key);
        due.push(bucket);
      } else if (key < next) {
        next = key;
      }
    }
    if (next !== Infinity) this.#schedule(next);
    for (const bucket of due) for (const item of bucket) this.#onExpire(item);
  };

  /** Move `item` from the expiry at `previous` to the one at `next` (either may be undefined: none). */
  move(item: T, previous: number | undefined, next: number | undefined): void {
    if (previous !== undefined) this.delete(item, previous);
    if (next !== undefined) this.add(item, next);
  }
}
