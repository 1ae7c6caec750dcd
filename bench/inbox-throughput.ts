/**
 * Inbox write throughput: `add` calls per second from N concurrent callers (each awaits its add, then
 * adds again), with p50/p99 add latency and the worst event-loop stall, on SQLite (a file, synchronous FULL
 * and NORMAL) and PostgreSQL (own schema, dropped afterwards).
 *
 *   node --import tsx bench/inbox-throughput.ts [--seconds 5] [--callers 1000] [--users 10000]
 *     [--only sqlite-full,sqlite-normal,postgres] [--pg postgres://postgres@127.0.0.1:5432/test]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPostgresInboxStore, createSqliteInboxStore, type InboxStore } from '../src/inbox/index.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    callers: { type: 'string', default: '1000' },
    users: { type: 'string', default: '10000' },
    only: { type: 'string', default: 'sqlite-full,sqlite-normal,postgres' },
    pg: { type: 'string', default: process.env.TIDINGS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const seconds = Number(args.seconds);
const callers = Number(args.callers);
const users = Number(args.users);

interface Result {
  target: string;
  adds: number;
  perSecond: number;
  p50: number;
  p99: number;
  maxStallMs: number;
  /** CPU time of this process per add (user + system), in µs: robust when the machine is shared. */
  cpuPerAdd: number;
  /** CPU time of the PostgreSQL backends serving the store per add, in µs (local server only). */
  serverCpuPerAdd: number;
}

/** Cumulative CPU time in µs of some server processes, or NaN when it cannot be read. */
type ServerCpu = () => Promise<number>;

function processCpuMicros(pid: number): number {
  // /proc/<pid>/stat: utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

async function drive(store: InboxStore, ms: number, record: boolean): Promise<Float64Array> {
  const latencies: number[] = [];
  const end = performance.now() + ms;
  const text = 'bob replied to your comment on "Group commit in practice"';
  const caller = async (c: number): Promise<void> => {
    for (let i = 0; performance.now() < end; i++) {
      const t0 = performance.now();
      await store.add({ userId: `user-${(c * 7919 + i) % users}`, kind: 'reply', data: { text, i } });
      if (record) latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: callers }, (_, c) => caller(c)));
  return Float64Array.from(latencies).sort();
}

async function measure(target: string, store: InboxStore, serverCpu: ServerCpu = async () => NaN): Promise<Result> {
  await drive(store, 1000, false); // warm-up: JIT, page cache, connections
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const server0 = await serverCpu();
  const lat = await drive(store, seconds * 1000, true);
  const cpu = process.cpuUsage(cpu0);
  const server = (await serverCpu()) - server0;
  const elapsed = (performance.now() - t0) / 1000;
  loop.disable();
  const r = {
    target,
    adds: lat.length,
    perSecond: Math.round(lat.length / elapsed),
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
    maxStallMs: loop.max / 1e6,
    cpuPerAdd: (cpu.user + cpu.system) / lat.length,
    serverCpuPerAdd: server / lat.length,
  };
  return r;
}

async function sqlite(synchronous: 'full' | 'normal'): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-'));
  const store = createSqliteInboxStore({ path: join(dir, 'inbox.db'), synchronous });
  try {
    return await measure(`sqlite file, synchronous=${synchronous}`, store);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgres(): Promise<Result> {
  const schema = `tidings_bench_${process.pid}_${Date.now()}`;
  // A URL parameter overrides the store's application_name: it marks this run's backends.
  const url = new URL(args.pg);
  url.searchParams.set('application_name', schema);
  const store = await createPostgresInboxStore({ url: url.toString(), schema, poolSize: 4 });
  const admin = new pg.Client({ connectionString: args.pg });
  await admin.connect();
  const serverCpu: ServerCpu = async () => {
    const { rows } = await admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
      [schema],
    );
    try {
      return rows.reduce((sum, r) => sum + processCpuMicros(r.pid), 0);
    } catch {
      return NaN;
    }
  };
  try {
    return await measure('postgres', store, serverCpu);
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}

const targets: Record<string, () => Promise<Result>> = {
  'sqlite-full': () => sqlite('full'),
  'sqlite-normal': () => sqlite('normal'),
  postgres,
};
const results: Result[] = [];
for (const name of args.only.split(',')) {
  const run = targets[name.trim()];
  if (run === undefined) throw new Error(`unknown target ${name}; known: ${Object.keys(targets).join(', ')}`);
  results.push(await run());
}
console.log(`\ninbox add throughput: ${callers} concurrent callers, ${users} users, ${seconds} s per target\n`);
console.log('| target | adds/s | p50 ms | p99 ms | max event-loop stall ms | CPU µs/add: node | PostgreSQL |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  const server = Number.isNaN(r.serverCpuPerAdd) ? '-' : r.serverCpuPerAdd.toFixed(1);
  const cells = [r.perSecond, r.p50.toFixed(1), r.p99.toFixed(1), r.maxStallMs.toFixed(1), r.cpuPerAdd.toFixed(1), server];
  console.log(`| ${r.target} | ${cells.join(' | ')} |`);
}
console.log(`\nload average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs`);
