/**
 * Escalation figures, loopback only and bounded: `count` notifications (one per user, so one webhook post
 * each) are left unseen and escalated to a local webhook receiver that checks every signature.
 *
 * - latency: from each notification's deadline (stored + escalateAfter) to the receiver getting it, with
 *   the default schedule poll (500 ms), p50/p99/max;
 * - throughput: all `count` already due, one escalation pass (take, plan, store deliveries, claim, POST, finish),
 *   notifications per second.
 *
 *   node --import tsx bench/escalation.ts [--count 1000] [--after 2] [--only sqlite,postgres]
 *     [--pg postgres://postgres@127.0.0.1:5432/test]
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createTidings, type Tidings } from '../src/tidings.js';
import { webhookSignature } from '../src/reach/index.js';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '1000' },
    after: { type: 'string', default: '2' },
    only: { type: 'string', default: 'sqlite,postgres' },
    pg: { type: 'string', default: process.env.TIDINGS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const count = Math.min(20_000, Number(args.count));
const after = Number(args.after);
const SECRET = 'bench-secret';

/** A receiver that verifies each post and records when each notification arrived. */
async function receiver(): Promise<{ url: string; got: Map<string, number>; bad: number; waitFor(n: number): Promise<void>; close(): Promise<void> }> {
  const got = new Map<string, number>();
  let bad = 0;
  let waiting: { n: number; resolve: () => void } | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const raw = Buffer.concat(chunks).toString('utf8');
      const sig = /^t=(\d+),v1=([0-9a-f]+)$/.exec(String(req.headers['tidings-signature']));
      if (!sig || webhookSignature(SECRET, Number(sig[1]), raw) !== sig[2]) bad++;
      for (const n of (JSON.parse(raw) as { notifications: { id: string }[] }).notifications) if (!got.has(n.id)) got.set(n.id, at);
      res.writeHead(204).end();
      if (waiting && got.size >= waiting.n) waiting.resolve();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    got,
    get bad() {
      return bad;
    },
    waitFor: (n) => (got.size >= n ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { n, resolve }))),
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function publish(tidings: Tidings, run: string): Promise<Map<string, number>> {
  const deadlines = new Map<string, number>();
  for (let i = 0; i < count; i += 500) {
    const to = Array.from({ length: Math.min(500, count - i) }, (_, k) => `${run}-u${i + k}`);
    for (const r of await tidings.notify({ to, kind: 'reply', data: { text: 'unseen' } })) deadlines.set(r.notification.id, Date.parse(r.notification.createdAt) + after * 1000);
  }
  return deadlines;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function measure(backend: string, databaseUrl: string): Promise<Record<string, unknown>> {
  const hook = await receiver();
  const settings = { host: '127.0.0.1', port: 0, databaseUrl, demo: false, env: 'test' as const, escalateAfter: after, webhookUrl: hook.url, webhookSecret: SECRET };
  // Latency: the escalator as configured by default (a look at the schedule every 500 ms).
  let tidings = await createTidings({ settings });
  const deadlines = await publish(tidings, `lat${Date.now()}`);
  await hook.waitFor(deadlines.size);
  const lat = [...deadlines].map(([id, d]) => hook.got.get(id)! - d).sort((a, b) => a - b);
  await tidings.close();
  hook.got.clear();
  // Throughput: everything due before the pass starts; one pass, timed until the receiver has all.
  tidings = await createTidings({ settings, reach: { pollMs: 3_600_000 } });
  const due = await publish(tidings, `thr${Date.now()}`);
  await new Promise((r) => setTimeout(r, after * 1000 + 200));
  const t0 = performance.now();
  await tidings.reach!.escalator!.tick();
  await hook.waitFor(due.size);
  const seconds = (performance.now() - t0) / 1000;
  await tidings.close();
  await hook.close();
  return {
    backend,
    notifications: count,
    latencyP50ms: pct(lat, 50),
    latencyP99ms: pct(lat, 99),
    latencyMaxms: lat[lat.length - 1],
    earliestMs: lat[0],
    throughputPerSecond: Math.round(due.size / seconds),
    badSignatures: hook.bad,
  };
}

const results: Record<string, unknown>[] = [];
const only = new Set(args.only.split(','));
if (only.has('sqlite')) {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-bench-escalation-'));
  try {
    results.push(await measure('sqlite (file, synchronous FULL)', `sqlite:${join(dir, 'inbox.db')}`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
if (only.has('postgres')) {
  const name = `bench_escalation_${process.pid}`;
  const admin = new pg.Client({ connectionString: args.pg });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(args.pg);
  url.pathname = `/${name}`;
  try {
    results.push(await measure('postgres (local)', url.toString()));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}
process.stdout.write(`escalation after ${after} s, ${count} unseen notifications, one user each; ${cpus().length} CPUs\n`);
console.table(results);
