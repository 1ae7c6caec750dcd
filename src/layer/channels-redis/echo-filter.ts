/**
 * Recognises this process's own group broadcasts coming back from Redis. The pub/sub wire format carries no
 * origin (a channels_redis message is the bare msgpack map), so the pub/sub layer delivers a broadcast to its
 * local members at once, remembers the payload, and drops the first identical payload that comes back on that
 * topic. Redis delivers one connection's PUBLISHes in order, so an expected payload that is passed over was
 * lost (e.g. published while the subscriber was reconnecting) and is forgotten.
 */

/** Most payloads remembered per topic (a bound, should echoes stop coming). */
const MAX_PENDING = 1000;

export class EchoFilter {
  private readonly pending = new Map<string, Buffer[]>();

  /** Remember that `payload` was published on `topic` and already delivered locally. */
  expect(topic: string, payload: Buffer): void {
    let list = this.pending.get(topic);
    if (list === undefined) this.pending.set(topic, (list = []));
    if (list.length >= MAX_PENDING) list.shift();
    list.push(payload);
  }

  /** Whether `payload` on `topic` is an expected echo (then it is consumed, with any older expectation). */
  isEcho(topic: string, payload: Buffer): boolean {
    const list = this.pending.get(topic);
    if (list === undefined) return false;
    const index = list.findIndex((expected) => expected.equals(payload));
    if (index < 0) return false;
    list.splice(0, index + 1);
    if (list.length === 0) this.pending.delete(topic);
    return true;
  }

  /** Forget every expectation (the subscription was lost: no echo will come). */
  clear(): void {
    this.pending.clear();
  }
}
