/**
 * Case 2, interoperability: independent peers (python3-autobahn, python3-websockets, Node's built-in
 * WebSocket) authenticate with `?token=` and receive 100 notifications, in order, each once; with and
 * without permessage-deflate on the server.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../src/testing/index.js';
import { PYTHON, peerScript, spawnPeer, type PeerEvent } from './helpers/peers.js';
import { SUITE } from './helpers/suite.js';

const COUNT = 100;

interface PeerSpec {
  name: string;
  command: string;
  args: (url: string, deflate: boolean) => string[];
  /** Whether the peer offers permessage-deflate (when asked to), so a server with compression negotiates it. */
  deflates: boolean;
}

const PEERS: PeerSpec[] = [
  { name: 'python3-autobahn', command: PYTHON, args: (url, d) => [peerScript('autobahn-peer.py'), 'interop', url, String(COUNT), ...(d ? ['deflate'] : [])], deflates: true },
  { name: 'python3-websockets', command: PYTHON, args: (url, d) => [peerScript('websockets-peer.py'), url, String(COUNT), ...(d ? ['deflate'] : [])], deflates: true },
  { name: 'node built-in WebSocket', command: process.execPath, args: (url) => ['--experimental-websocket', '--no-warnings', peerScript('node-peer.mjs'), url, String(COUNT)], deflates: true },
];

const servers: Record<'plain' | 'deflate', TestServer | null> = { plain: null, deflate: null };
before(async () => {
  servers.plain = await startTestServer({});
  servers.deflate = await startTestServer({ settings: { perMessageDeflate: true } });
}, SUITE);
after(async () => {
  await servers.plain?.close();
  await servers.deflate?.close();
}, SUITE);

/** One at a time, so seq order is publish order; the first few go through the HTTP API, the rest the SDK. */
async function publish(srv: TestServer, user: string): Promise<void> {
  for (let i = 0; i < COUNT; i++) {
    if (i < 5) {
      const res = await srv.api('/v1/notifications', { body: { to: user, kind: 'interop', data: { i } } });
      assert.equal(res.status, 201, await res.text());
    } else await srv.notify(user, { kind: 'interop', data: { i } });
  }
}

for (const mode of ['plain', 'deflate'] as const) {
  describe(`case 2: interoperability, permessage-deflate ${mode === 'deflate' ? 'on' : 'off'}`, { ...SUITE, concurrency: true }, () => {
    for (const peer of PEERS) {
      it(`${peer.name} authenticates with ?token= and receives ${COUNT} notifications in order`, async (t) => {
        const srv = servers[mode]!;
        const user = `interop-${mode}-${peer.name.replace(/\W+/g, '-')}`;
        const url = srv.wsUrl(`/inform/?token=${await srv.tidings.token(user)}`);
        const started = performance.now();
        const proc = spawnPeer(peer.command, peer.args(url, mode === 'deflate'));
        try {
          const ready = await proc.next();
          assert.equal(ready.event, 'ready');
          assert.equal((ready.hello as { user?: string }).user, user);
          await publish(srv, user);
          const done: PeerEvent = await proc.next();
          assert.equal(done.event, 'done');
          const got = done.notifications as Array<{ seq: number; i: number }>;
          assert.deepEqual(got.map((n) => n.seq), Array.from({ length: COUNT }, (_, k) => k + 1));
          assert.deepEqual(got.map((n) => n.i), Array.from({ length: COUNT }, (_, k) => k));
          const extensions = done.extensions as string[];
          const negotiated = extensions.some((e) => e.includes('permessage-deflate'));
          assert.equal(negotiated, mode === 'deflate' && peer.deflates, `extensions in use: ${JSON.stringify(extensions)}`);
          assert.equal(await proc.exited, 0);
          t.diagnostic(`figure: ${peer.name} (${mode}) received ${got.length}/${COUNT} in order, lost 0, in ${Math.round(performance.now() - started)} ms`);
        } finally {
          proc.kill();
        }
      });
    }
  });
}
