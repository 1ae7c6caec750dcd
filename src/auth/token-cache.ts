/**
 * The users of tokens already verified, so that each distinct token is verified once (a reconnect storm
 * brings the same tokens back). Keyed by the token's SHA-256 (the token itself is not kept: it may be long),
 * in insertion order, bounded. A hit re-checks only what time can change: `exp`, with jose's rule and the
 * same tolerance, so an expired token is still refused with TOKEN_EXPIRED at the same second. Only valid
 * tokens are kept, and only for keys that cannot change while the process runs (see tokens.ts).
 */
import type { JWTPayload } from 'jose';
import { TidingsError } from '../errors.js';
import type { User } from '../consumer/index.js';

export class VerifiedTokens {
  readonly #users = new Map<string, User>();

  constructor(
    private readonly max: number,
    private readonly tolerance: number,
  ) {}

  /** Epoch seconds as jose reads the clock. */
  static seconds(ms: number): number {
    return Math.floor(ms / 1000);
  }

  /** The user of `digest`, or undefined (not seen). @throws TidingsError TOKEN_EXPIRED once it has expired. */
  get(digest: string, nowMs: number): User | undefined {
    const user = this.#users.get(digest);
    if (user === undefined) return undefined;
    if (this.#expired(user, nowMs)) {
      this.#users.delete(digest);
      throw new TidingsError('TOKEN_EXPIRED', 'token expired');
    }
    return user;
  }

  /** Remember `user` for `digest`. Full: the oldest entry goes; each insertion also drops the oldest if expired. */
  set(digest: string, user: User, nowMs: number): void {
    if (this.max <= 0) return;
    const oldest = this.#users.entries().next().value;
    if (oldest && (this.#users.size >= this.max || this.#expired(oldest[1], nowMs))) this.#users.delete(oldest[0]);
    this.#users.set(digest, user);
  }

  /** jose's test: `exp <= now - tolerance`, in whole seconds. */
  #expired(user: User, nowMs: number): boolean {
    return (user.claims as JWTPayload).exp! <= VerifiedTokens.seconds(nowMs) - this.tolerance;
  }
}
