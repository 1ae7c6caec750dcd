/** Small statistics helpers: percentiles over latency samples and a bounded sample reservoir. */

/** Percentile `p` (0-100) of `sorted` (ascending), nearest-rank; null for an empty array. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  const index = Math.min(sorted.length - 1, Math.max(0, rank - 1));
  return sorted[index] ?? null;
}

/** Latency summary in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** Summarise latency samples (milliseconds, any order). */
export function summarizeLatency(samples: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(samples).sort();
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? null) : null,
  };
}

/**
 * A fixed-capacity uniform sample of a stream (Vitter's algorithm R), so latency recording stays bounded
 * in memory however long a run lasts. The random source is injectable for tests.
 */
export class Reservoir {
  private readonly values: Float64Array;
  private seen = 0;

  constructor(
    readonly capacity: number,
    private readonly random: () => number = Math.random,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('reservoir capacity must be a positive integer');
    this.values = new Float64Array(capacity);
  }

  /** Offer one value. */
  add(value: number): void {
    if (this.seen < this.capacity) {
      this.values[this.seen] = value;
    } else {
      const slot = Math.floor(this.random() * (this.seen + 1));
      if (slot < this.capacity) this.values[slot] = value;
    }
    this.seen++;
  }

  /** How many values were offered since the last reset. */
  get offered(): number {
    return this.seen;
  }

  /** The kept values (a copy). */
  toArray(): number[] {
    return Array.from(this.values.subarray(0, Math.min(this.seen, this.capacity)));
  }

  /** Forget everything. */
  reset(): void {
    this.seen = 0;
  }
}
