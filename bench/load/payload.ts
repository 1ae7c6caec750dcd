/** The `data` every benchmark message carries: a publish timestamp (read back for latency), a number, padding. */
import { wallClockMs } from '../lib/time.js';

/** Default padding: makes the reference broadcast frame about 100 bytes before id and createdAt. */
export const DEFAULT_PAD = 'x'.repeat(16);

/** The `data` of message `i`. */
export function payload(i: number, pad: string = DEFAULT_PAD): Record<string, unknown> {
  return { t: wallClockMs(), i, p: pad };
}
