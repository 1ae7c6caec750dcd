/**
 * Runs one schedule against real servers and checks, after every step, the invariants against a simple
 * model whose truth is the inbox itself (the stored rows):
 * - every acknowledged notification is stored;
 * - per open tab: it emitted exactly the user's stored rows with seq > its `since`, in ascending order,
 *   each once (rows a list reload covered after `recovered:false` / `resync` count as received);
 * - the last unread count a tab holds equals the user's unread rows;
 * - no open tab stops receiving: a tab the server closed with 4000-4499 reconnects with its cursor and must
 *   then be complete; a tab that stays short of the rows is silent loss;
 * - a broadcast reaches every tab that was open when it was sent and kept its socket, at most once.
 * "After every step" means once quiescent: the check polls until the model's prediction holds, up to
 * QUIET_MS, and fails with what is still wrong. Order, duplicates and rows never stored fail at once.
 */
import { tokenFor } from '../../support/tidings.js';
import { TEST_API_KEY } from '../../../src/testing/index.js';
import { formatStep, MAX_BYTES, type Run, type Step } from './schedule.js';
import { startSystem, type System } from './system.js';
import { openClientTab, openRawTab, type Tab } from './tabs.js';

/** How long the system may take to reach what the model predicts after a step (TIDINGS_MODEL_QUIET_MS overrides). */
const QUIET_MS = { sqlite: 3_000, 'pg-redis': 10_000 } as const;
/** Most payload bytes one burst carries in all (keeps one run's memory bounded). */
const BURST_BYTES = 3_000_000;

export class CheckFailure extends Error {
  constructor(
    readonly step: number,
    readonly problems: string[],
  ) {
    super(`step ${step}: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? ` (+${problems.length - 8} more)` : ''}`);
  }
}

interface SentBroadcast {
  id: string;
  /** Tabs open when it was sent, with their close count then. */
  to: Array<{ tab: Tab; closes: number }>;
}

interface State {
  sys: System;
  users: string[];
  tabs: Tab[];
  acked: Map<string, Set<number>>;
  broadcasts: SentBroadcast[];
  /** Per user, the highest seq stored by `stored-only` and not yet revealed by a later push (0: none). */
  unpushed: Map<string, number>;
}

const live = (s: State) => s.tabs.filter((t) => !t.closed);
const pick = <T>(xs: readonly T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);

async function post(url: string, body: unknown, auth = TEST_API_KEY): Promise<Record<string, unknown>> {
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${auth}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`POST ${new URL(url).pathname} answered ${res.status} ${JSON.stringify(json).slice(0, 200)}`);
  return json;
}

function ack(s: State, items: Array<{ userId?: string; seq?: number }>, user: string): void {
  for (const it of items) s.acked.get(it.userId ?? user)?.add(it.seq as number);
}

async function burst(s: State, step: Extract<Step, { op: 'burst' }>): Promise<void> {
  const user = pick(s.users, step.user)!;
  const other = pick(s.users, step.user + 1)!;
  const pad = 'x'.repeat(Math.min(step.bytes, MAX_BYTES, Math.floor(BURST_BYTES / step.n)));
  const url = s.sys.httpUrl(step.proc % s.sys.procs) + '/v1/notifications';
  const one = async (i: number, via: 'sdk' | 'http'): Promise<void> => {
    const input = { to: user, kind: 'model', data: { i, pad } };
    if (via === 'sdk' && s.sys.sdk) ack(s, (await s.sys.sdk.notify(input)).map((r) => r.notification), user);
    else ack(s, [await post(url, input)], user);
  };
  const multi = async (n: number): Promise<void> => {
    // One request naming the user n times (every fourth entry another user): one row per entry.
    const to = Array.from({ length: n }, (_, i) => (i % 4 === 3 ? other : user));
    ack(s, (await post(url, { to, kind: 'model', data: { pad } })).items as Array<{ userId: string; seq: number }>, user);
  };
  const sdkOrHttp = (i: number) => (s.sys.sdk && i % 2 === 0 ? 'sdk' : 'http');
  if (step.via === 'multi') return multi(step.n);
  if (step.via === 'mixed') {
    const half = Math.ceil(step.n / 2);
    await Promise.all([multi(half), ...Array.from({ length: step.n - half }, (_, i) => one(i, sdkOrHttp(i)))]);
    return;
  }
  await Promise.all(Array.from({ length: step.n }, (_, i) => one(i, step.via === 'sdk' ? 'sdk' : 'http')));
}

async function open(s: State, step: Extract<Step, { op: 'open' }>): Promise<void> {
  const user = pick(s.users, step.user)!;
  const rows = await s.sys.rows(user);
  const last = rows.at(-1)?.seq ?? 0;
  const since = step.since === 'none' ? undefined : step.since === 'zero' ? 0 : Math.max(0, last - step.back);
  const reload = async (u: string) => (await s.sys.rows(u)).map((r) => r.seq);
  const make = step.kind === 'raw' ? openRawTab : openClientTab;
  const tab = make(s.tabs.length, user, s.sys.wsUrl(step.proc % s.sys.procs), since, reload);
  s.tabs.push(tab);
  await tab.ready(10_000);
}

async function read(s: State, step: Extract<Step, { op: 'read' }>): Promise<void> {
  const tab = pick(live(s), step.tab);
  if (!tab) return;
  const unread = (await s.sys.rows(tab.user)).filter((r) => r.readAt === null).map((r) => r.id);
  const ids = step.all ? 'all' : unread.slice(0, step.count);
  if (ids !== 'all' && ids.length === 0) return;
  if (step.via === 'tab') tab.read(ids);
  else await post(`${s.sys.httpUrl(0)}/v1/me/read`, ids === 'all' ? { all: true } : { ids }, await tokenFor(tab.user));
}

async function broadcast(s: State, step: Extract<Step, { op: 'broadcast' }>): Promise<void> {
  const to = live(s).filter((t) => t.isOpen()).map((tab) => ({ tab, closes: tab.closeCodes.length }));
  const input = { kind: 'model', data: { pad: 'b'.repeat(Math.min(step.bytes, MAX_BYTES)) } };
  const sent = s.sys.sdk && step.proc % 2 === 0 ? await s.sys.sdk.broadcast(input) : await post(`${s.sys.httpUrl(step.proc % s.sys.procs)}/v1/broadcasts`, input);
  s.broadcasts.push({ id: sent.id as string, to });
}

async function execute(s: State, step: Step): Promise<void> {
  switch (step.op) {
    case 'burst': {
      s.unpushed.set(pick(s.users, step.user)!, 0);
      // The other user is pushed to only when the multi-recipient request names it (every fourth entry).
      const multiEntries = step.via === 'multi' ? step.n : step.via === 'mixed' ? Math.ceil(step.n / 2) : 0;
      if (multiEntries >= 4) s.unpushed.set(pick(s.users, step.user + 1)!, 0);
      return burst(s, step);
    }
    case 'stored-only': {
      const user = pick(s.users, step.user)!;
      await s.sys.storeOnly(user, step.n);
      s.unpushed.set(user, (await s.sys.rows(user)).at(-1)?.seq ?? 0);
      return;
    }
    case 'open':
      return open(s, step);
    case 'close':
      return pick(live(s), step.tab)?.close();
    case 'reconnect':
      return pick(live(s), step.tab)?.reconnect(step.withSince);
    case 'read':
      return read(s, step);
    case 'broadcast':
      return broadcast(s, step);
    case 'idle':
      return new Promise((r) => setTimeout(r, step.ms));
    case 'redis-restart':
      return s.sys.restartRedis?.();
    case 'slow-db':
      return s.sys.setDbDelay?.(step.ms);
  }
}

/**
 * Close codes a healthy tab may see: normal closes (its own), a server going away or restarting, and a
 * connection cut. Every other code (4000 consumer error, 4002 slow client, 4003, 4029, 45xx, 1011, …) is a
 * failure: the checker's tabs read promptly on loopback and send only valid frames.
 */
const HEALTHY_CLOSES = new Set([1000, 1001, 1005, 1006, 4001]);

/** What is wrong now; `fatal` problems cannot heal by waiting. */
async function problems(s: State): Promise<{ fatal: string[]; pending: string[] }> {
  const fatal: string[] = [];
  const pending: string[] = [];
  const stored = new Map<string, { seqs: Set<number>; unread: number; last: number }>();
  for (const user of s.users) {
    const rows = await s.sys.rows(user);
    const seqs = new Set(rows.map((r) => r.seq));
    stored.set(user, { seqs, unread: rows.filter((r) => r.readAt === null).length, last: rows.at(-1)?.seq ?? 0 });
    const lost = [...s.acked.get(user)!].filter((q) => !seqs.has(q));
    if (lost.length > 0) fatal.push(`${user}: acknowledged seqs not stored: ${lost.slice(0, 5).join(',')}`);
  }
  for (const tab of s.tabs) {
    const unhealthy = tab.closeCodes.filter((c) => !HEALTHY_CLOSES.has(c));
    if (unhealthy.length > 0) fatal.push(`tab ${tab.id} (${tab.kind}, ${tab.user}): a healthy tab was closed with ${unhealthy.join(',')}`);
  }
  for (const tab of live(s)) {
    const db = stored.get(tab.user)!;
    const name = `tab ${tab.id} (${tab.kind}, ${tab.user}, since ${tab.since}, closes [${tab.closeCodes.join(',')}])`;
    fatal.push(...tab.problems.map((p) => `${name}: ${p}`));
    const bad = tab.got.findIndex((q, i) => i > 0 && q <= tab.got[i - 1]!);
    if (bad > 0) fatal.push(`${name}: seq ${tab.got[bad]} after ${tab.got[bad - 1]} (not once, in order)`);
    const unknown = tab.got.filter((q) => !db.seqs.has(q) || q <= tab.since);
    if (unknown.length > 0) fatal.push(`${name}: emitted seqs not stored or not after since: ${unknown.slice(0, 5).join(',')}`);
    if (!tab.isOpen()) {
      pending.push(`${name}: not open`);
      continue;
    }
    const have = new Set([...tab.got, ...tab.reloaded]);
    // Rows stored but never pushed are owed to an open tab only once a later push reveals them.
    const excused = s.unpushed.get(tab.user) ?? 0;
    const missing = [...db.seqs].filter((q) => q > tab.since && q > excused && !have.has(q));
    if (missing.length > 0) pending.push(`${name}: missing ${missing.length} of the stored seqs after since (first ${missing.slice(0, 5).join(',')}; emitted ${tab.got.length}, last ${tab.got.at(-1) ?? '-'}; stored last ${db.last})`);
    if (excused === 0 && tab.unread() !== db.unread) pending.push(`${name}: shows unread ${tab.unread()}, unread rows ${db.unread}`);
  }
  for (const b of s.broadcasts) {
    for (const { tab, closes } of b.to) {
      const n = tab.broadcasts.filter((id) => id === b.id).length;
      if (n > 1) fatal.push(`tab ${tab.id}: broadcast ${b.id} received ${n} times`);
      else if (n === 0 && !tab.closed && tab.closeCodes.length === closes) pending.push(`tab ${tab.id} (${tab.kind}, ${tab.user}): broadcast ${b.id} not received`);
    }
  }
  return { fatal, pending };
}

async function quiesce(s: State, stepIndex: number): Promise<void> {
  const deadline = Date.now() + Number(process.env.TIDINGS_MODEL_QUIET_MS ?? QUIET_MS[s.sys.shape]);
  for (;;) {
    const { fatal, pending } = await problems(s);
    if (fatal.length > 0) throw new CheckFailure(stepIndex, fatal);
    if (pending.length === 0) return;
    if (Date.now() > deadline) throw new CheckFailure(stepIndex, pending);
    await new Promise((r) => setTimeout(r, s.sys.shape === 'sqlite' ? 20 : 50));
  }
}

/** Run `run` against fresh servers; throws a {@link CheckFailure} at the first step that breaks an invariant. */
export async function executeRun(run: Run, log?: (line: string) => void): Promise<void> {
  const sys = await startSystem(run.shape, run.settings);
  const users = Array.from({ length: run.users }, (_, i) => `u${i}`);
  const s: State = { sys, users, tabs: [], acked: new Map(users.map((u) => [u, new Set()])), broadcasts: [], unpushed: new Map() };
  try {
    for (const [i, step] of run.steps.entries()) {
      log?.(`  ${i}: ${formatStep(step)}`);
      try {
        await execute(s, step);
      } catch (err) {
        if (err instanceof CheckFailure) throw err;
        throw new CheckFailure(i, [`${formatStep(step)} threw: ${(err as Error).message}`]);
      }
      await quiesce(s, i);
    }
  } finally {
    for (const t of s.tabs) if (!t.closed) t.close();
    await sys.close();
  }
}
