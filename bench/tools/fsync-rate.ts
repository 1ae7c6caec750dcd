/**
 * How many durable commits a second this machine's disk allows: appends `--bytes` (default 4096, about one
 * WAL page of a small batch) to a file in `--dir` and makes each durable with fdatasync, as SQLite
 * (journal WAL, synchronous FULL) and PostgreSQL (wal_sync_method fdatasync) do once per commit, for
 * `--seconds` (default 3). A store's group-commit limit is this rate times the rows one commit carries.
 * Run: `node --import tsx bench/tools/fsync-rate.ts [--dir /tmp] [--seconds 3] [--bytes 4096]`
 * (the bench's SQLite inboxes live in the OS temporary directory; PostgreSQL's WAL lives in its data directory,
 * `SHOW data_directory`). Prints one line: syncs per second and the median and p99 sync time.
 */
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { percentile } from '../lib/stats.js';

function flag(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

const dir = mkdtempSync(join(flag('dir', tmpdir()), 'fsync-rate-'));
const seconds = Number(flag('seconds', '3'));
const block = Buffer.alloc(Number(flag('bytes', '4096')), 0x61);
const fd = openSync(join(dir, 'wal'), 'w');
const times: number[] = [];
try {
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    writeSync(fd, block);
    fdatasyncSync(fd);
    times.push(performance.now() - t0);
  }
} finally {
  closeSync(fd);
  rmSync(dir, { recursive: true, force: true });
}
const sorted = Float64Array.from(times).sort();
const total = times.reduce((sum, t) => sum + t, 0);
const ms = (v: number | null): string => (v === null ? '-' : v.toFixed(3));
console.log(
  `${dir.replace(/fsync-rate-.*$/, '')}: ${Math.round((times.length * 1000) / total)} fdatasync/s ` +
    `(${times.length} in ${(total / 1000).toFixed(2)} s; ${block.length} B each; median ${ms(percentile(sorted, 50))} ms, p99 ${ms(percentile(sorted, 99))} ms)`,
);
