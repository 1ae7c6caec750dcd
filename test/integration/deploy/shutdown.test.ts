/**
 * Graceful shutdown of a real `tidings serve` process on SIGTERM, with clients connected and a publisher
 * posting notifications over HTTP the whole time:
 *   - every client gets close code 4001 (reconnect elsewhere);
 *   - during the drain `/readyz` answers 503 and new WebSocket handshakes are refused with 503;
 *   - the process exits 0 within --shutdown-timeout;
 *   - restarted on the same SQLite file, every notification that got a 201 is in the inbox.
 * One "stubborn" client completes the upgrade and then never answers the close handshake, so the drain lasts
 * until the shutdown deadline and its states can be observed; it is cut at the deadline.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { TestSocket } from '../../../src/testing/index.js';
import { ServerProcess, startBuilt, publish, tokenFor } from '../../support/tidings.js';
import { openSocket } from '../../support/frames.js';
import { secrets, tempDir } from '../../support/process.js';
import { within } from '../../support/time.js';
import { upgradeHead } from '../../support/wire/handshake.js';

const SHUTDOWN_TIMEOUT_S = 3;
const USERS = ['sd-0', 'sd-1', 'sd-2', 'sd-3', 'sd-4'];

/** Upgrade a raw TCP connection, then ignore everything (never answers the close frame). */
async function stubbornClient(port: number, token: string): Promise<{ socket: Socket; ended: Promise<void> }> {
  const socket = connect(port, '127.0.0.1');
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('error', () => {});
  const upgraded = new Promise<void>((resolve, reject) => {
    socket.once('data', (chunk: Buffer) => (chunk.toString('latin1').startsWith('HTTP/1.1 101') ? resolve() : reject(new Error(chunk.toString()))));
  });
  socket.write(upgradeHead({ target: `/inform/?token=${token}`, host: `127.0.0.1:${port}` }));
  await within(upgraded, 5000, 'stubborn upgrade');
  return { socket, ended };
}

interface Acked {
  user: string;
  id: string;
  afterSignal: boolean;
}

/** Publishes in `lanes` parallel loops until `done()`, recording what was acknowledged with 201. */
class ContinuousPublisher {
  readonly acked: Acked[] = [];
  failed = 0;
  readonly finished: Promise<void>;
  #n = 0;
  #onAck: (() => void) | null = null;

  constructor(url: string, apiKey: string, lanes: number, signalled: () => boolean, done: () => boolean) {
    const lane = async () => {
      while (!done()) {
        const user = USERS[this.#n++ % USERS.length] as string;
        const sentAfterSignal = signalled();
        try {
          const res = await publish(url, apiKey, user, { n: this.#n });
          if (res.status === 201 && res.body.id) this.acked.push({ user, id: res.body.id, afterSignal: sentAfterSignal });
          else this.failed++;
          this.#onAck?.();
        } catch {
          // connection refused or cut: the server is going away
          this.failed++;
          await new Promise((r) => setImmediate(r));
        }
      }
    };
    this.finished = Promise.all(Array.from({ length: lanes }, lane)).then(() => undefined);
  }

  /** Resolves once `count` publishes have been acknowledged. */
  acknowledged(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.#onAck = () => {
        if (this.acked.length < count) return;
        this.#onAck = null;
        resolve();
      };
      this.#onAck();
    });
  }
}

async function inboxIds(url: string, apiKey: string, user: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let before: number | null | undefined;
  do {
    const res = await fetch(`${url}/v1/users/${user}/notifications?limit=100${before ? `&before=${before}` : ''}`, { headers: { authorization: `Bearer ${apiKey}` } });
    assert.equal(res.status, 200);
    const page = (await res.json()) as { items: Array<{ id: string }>; nextBefore: number | null };
    for (const item of page.items) ids.add(item.id);
    before = page.nextBefore;
  } while (before);
  return ids;
}

describe('graceful shutdown of a real process', () => {
  const keys = secrets();
  const dir = tempDir('shutdown');
  const env = { TIDINGS_JWT_SECRET: keys.jwtSecret, TIDINGS_API_KEY: keys.apiKey, TIDINGS_DATABASE_URL: `sqlite:${dir.path}/inbox.db` };
  const procs: ServerProcess[] = [];
  after(async () => {
    for (const p of procs) if (p.child.exitCode === null) await p.stop('SIGKILL');
    dir.remove();
  });

  it('SIGTERM: clients get 4001, /readyz 503 while draining, exit 0 in time, no acknowledged notification lost', { timeout: 60_000 }, async (t) => {
    const first = await startBuilt({ args: ['--shutdown-timeout', String(SHUTDOWN_TIMEOUT_S)], env });
    procs.push(first);
    const wsBase = `ws://127.0.0.1:${first.port}/inform/?token=`;
    const clients: TestSocket[] = [];
    for (let i = 0; i < 20; i++) clients.push(await openSocket(wsBase + (await tokenFor(USERS[i % USERS.length] as string, keys.jwtSecret))));
    await Promise.all(clients.map((c) => c.nextOfType('hello')));
    const stubborn = await stubbornClient(first.port, await tokenFor('sd-stubborn', keys.jwtSecret));

    let signalledAt = 0;
    let exited = false;
    void first.exited.then(() => (exited = true));
    const publisher = new ContinuousPublisher(first.url, keys.apiKey, 4, () => signalledAt > 0, () => exited);
    await first.log.waitForCount((e) => e.msg === 'connection opened', clients.length + 1, 5000, 'all sockets open');
    await within(publisher.acknowledged(20), 10_000, '20 publishes acknowledged before SIGTERM');

    signalledAt = Date.now();
    first.child.kill('SIGTERM');

    // Readiness fails while the drain runs (the stubborn client holds it open until the deadline).
    let readyz: { status: number; body: { checks?: Record<string, boolean> } } | null = null;
    while (!exited && !readyz) {
      const res = await fetch(`${first.url}/readyz`).catch(() => null);
      if (res?.status === 503) readyz = { status: res.status, body: (await res.json()) as { checks?: Record<string, boolean> } };
    }
    assert.ok(readyz, '/readyz never answered 503 during the drain');
    assert.equal(readyz.body.checks?.accepting, false);
    await assert.rejects(openSocket(wsBase + (await tokenFor('sd-late', keys.jwtSecret))), (err: Error & { status?: number }) => err.status === 503);

    const closes = await Promise.all(clients.map((c) => c.closed(5000)));
    for (const close of closes) assert.equal(close.code, 4001);

    const { code } = await within(first.exited, (SHUTDOWN_TIMEOUT_S + 5) * 1000, 'exit after SIGTERM');
    const tookMs = Date.now() - signalledAt;
    assert.equal(code, 0);
    assert.ok(tookMs < SHUTDOWN_TIMEOUT_S * 1000, `exit took ${tookMs} ms, over the ${SHUTDOWN_TIMEOUT_S} s shutdown timeout`);
    await within(stubborn.ended, 1000, 'stubborn client cut');
    assert.ok(first.log.entries.some((e) => e.msg === 'stopped'));

    await publisher.finished;
    const acked = publisher.acked;
    assert.ok(acked.length >= 20);
    t.diagnostic(`exit ${tookMs} ms after SIGTERM; acknowledged ${acked.length} (${acked.filter((a) => a.afterSignal).length} after SIGTERM)`);

    const second = await startBuilt({ env });
    procs.push(second);
    const stored = new Map<string, Set<string>>();
    for (const user of USERS) stored.set(user, await inboxIds(second.url, keys.apiKey, user));
    const lost = acked.filter((a) => !stored.get(a.user)?.has(a.id));
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged notifications lost`);
    const exit = await second.stop();
    assert.equal(exit.code, 0);
  });
});
