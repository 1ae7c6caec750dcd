/**
 * Case 27: PostgreSQL restarted while publishing. A PRIVATE PostgreSQL (initdb on a free port; the shared
 * server is never touched) under a `tidings serve` process, five users connected with the real client, and
 * publishers that do what the API asks of them: each notification carries its own dedupe key, and a 503
 * (`INBOX_UNAVAILABLE`, "nothing was stored, retry") is retried with the same key until it is stored.
 * During `pg_ctl restart -m fast`: every answer is 201 or a retryable 503, none hangs, the process does not
 * crash and /readyz reports the inbox down; afterwards every key is stored exactly once and every client has
 * every notification of its user once, in order.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allOpen, deliveryProblems, startClient, type ClientRecord } from '../support/clients.js';
import { storedUser } from './faults/inbox-db.js';
import { PrivatePostgres, privatePostgresSkipReason } from '../support/services/private-postgres.js';
import { publishOnce, quantile, statusCounts, type PublishRecord } from './faults/publishing.js';
import { readyz, startTestServe, type ServerProcess } from '../support/tidings.js';
import { SUITE } from './helpers/suite.js';

const skip = privatePostgresSkipReason();
const USERS = ['pg-0', 'pg-1', 'pg-2', 'pg-3', 'pg-4'];
const LANES = 4;
/** Longest a single answer may take: the store's 3 s connect timeout plus slack. */
const NO_HANG_MS = 5000;

let pg: PrivatePostgres;
let srv: ServerProcess;
let clients: ClientRecord[] = [];

before(async () => {
  if (skip) return;
  pg = await PrivatePostgres.create();
  await pg.start();
  srv = await startTestServe(['--database-url', pg.url]);
  clients = USERS.map((u) => startClient(`${srv.url.replace(/^http/, 'ws')}/inform/`, u));
  await allOpen(clients, 10_000);
}, SUITE);
after(async () => {
  for (const c of clients) c.client.close();
  await srv?.stop('SIGKILL');
  await pg?.remove();
}, SUITE);

interface Intent {
  user: string;
  key: string;
  attempts: PublishRecord[];
  stored?: PublishRecord;
}

/** Publish with `key` until stored (201), retrying 503s, for at most `deadlineMs`. */
async function publishUntilStored(intent: Intent, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const r = await publishOnce(srv.url, intent.user, { key: intent.key }, intent.key, NO_HANG_MS + 5000);
    intent.attempts.push(r);
    if (r.status === 201) {
      intent.stored = r;
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('case 27: PostgreSQL restarted while publishing', { skip, ...SUITE }, () => {
  it('retryable 503s during the restart, none hanging, zero acknowledged lost, each key stored once', async (t) => {
    const intents: Intent[] = [];
    let publishing = true;
    let n = 0;
    const lanes = Array.from({ length: LANES }, async () => {
      while (publishing) {
        const intent: Intent = { user: USERS[n % USERS.length]!, key: `k-${n++}`, attempts: [] };
        intents.push(intent);
        await publishUntilStored(intent, 30_000);
      }
    });
    const storedCount = () => intents.filter((i) => i.stored).length;
    const waitStored = async (count: number) => {
      while (storedCount() < count) await new Promise((r) => setTimeout(r, 20));
    };
    await waitStored(50);

    const stoppedAt = performance.now();
    await pg.stop('fast');
    const downReadyz = await readyz(srv.url);
    await new Promise((r) => setTimeout(r, 1000)); // a second of outage, publishers retrying
    await pg.start();
    const startedAt = performance.now();
    const beforeRecovery = storedCount();
    await waitStored(beforeRecovery + 1);
    const recoveredMs = performance.now() - startedAt;
    await waitStored(storedCount() + 50);
    publishing = false;
    await Promise.all(lanes);

    const attempts = intents.flatMap((i) => i.attempts);
    const refusals = attempts.filter((a) => a.status !== 201);
    assert.deepEqual(intents.filter((i) => !i.stored).map((i) => i.key), [], 'every publish was eventually stored');
    assert.deepEqual([...new Set(refusals.map((r) => `${r.status} ${r.code}`))].filter((s) => s !== '503 INBOX_UNAVAILABLE'), [], 'refusals are retryable 503s');
    const slowest = quantile(attempts.map((a) => a.ms), 1);
    assert.ok(slowest < NO_HANG_MS, `an answer took ${slowest.toFixed(0)} ms`);
    assert.equal(downReadyz, 503, '/readyz fails while the database is down');
    assert.ok(srv.alive(), 'no crash');

    for (const user of USERS) {
      const stored = await storedUser(pg.url, user);
      const mine = intents.filter((i) => i.user === user);
      assert.equal(stored.duplicateKeys, 0, `${user}: each key stored once`);
      assert.equal(stored.rows, mine.length, `${user}: one row per publish`);
      assert.equal(stored.seqProblems, 0);
    }
    const ackedSeqs = (user: string) => intents.filter((i) => i.user === user).map((i) => i.stored!.seq as number);
    await Promise.all(clients.map((c) => c.seenSeq(Math.max(...ackedSeqs(c.user)), 10_000).catch(() => undefined)));
    assert.deepEqual(clients.flatMap((c) => deliveryProblems(c, ackedSeqs(c.user))), []);
    const retried = intents.filter((i) => i.attempts.length > 1).length;
    t.diagnostic(
      `figure: 27: ${intents.length} notifications, ${attempts.length} requests ${JSON.stringify(statusCounts(attempts))}; ${retried} retried with their dedupe key; ` +
        `restart (stop -m fast, 1 s down, start) took ${((startedAt - stoppedAt) / 1000).toFixed(1)} s; first 201 ${recoveredMs.toFixed(0)} ms after PostgreSQL was back; slowest answer ${slowest.toFixed(0)} ms; ` +
        `/readyz ${downReadyz} while down; stored once each, lost 0, delivered once each in order to ${clients.length} clients`,
    );
  });
});
