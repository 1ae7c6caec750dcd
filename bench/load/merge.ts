/** Combine counters of several pools (several ports in one worker, or several workers). */
import type { PoolStats } from './protocol.js';

/** Most latency samples kept after a merge; beyond it, every k-th sample is kept. */
export const MERGED_LATENCY_LIMIT = 400_000;

function thin(values: readonly number[], limit: number): number[] {
  if (values.length <= limit) return [...values];
  const step = values.length / limit;
  const out: number[] = [];
  for (let i = 0; i < limit; i++) out.push(values[Math.floor(i * step)] ?? 0);
  return out;
}

/** Sum the counters and pool the latency samples of `list`. */
export function mergePoolStats(list: readonly PoolStats[]): PoolStats {
  const closeCodes: Record<string, number> = {};
  for (const stats of list) {
    for (const [code, count] of Object.entries(stats.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + count;
  }
  const sum = (key: 'sockets' | 'open' | 'deliveries' | 'wireBytes' | 'lossSockets' | 'missing' | 'latencyOffered'): number =>
    list.reduce((total, s) => total + s[key], 0);
  return {
    sockets: sum('sockets'),
    open: sum('open'),
    deliveries: sum('deliveries'),
    wireBytes: sum('wireBytes'),
    closeCodes,
    lossSockets: sum('lossSockets'),
    missing: sum('missing'),
    latency: thin(list.flatMap((s) => s.latency), MERGED_LATENCY_LIMIT),
    latencyOffered: sum('latencyOffered'),
  };
}
