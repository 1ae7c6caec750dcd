import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { WebSocketServer, type WebSocket } from 'ws';
import { acceptFor, readHandshake } from '../../../bench/load/handshake.js';
import { connectRawClient } from '../../../bench/load/raw-client.js';
import { waitUntil } from '../../../bench/lib/time.js';

async function server(t: { after(fn: () => unknown): void }): Promise<{ port: number; next: Promise<WebSocket> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(wss, 'listening');
  // The server's close callback waits for its connections: cut them first, even after a failed assertion.
  t.after(() => {
    for (const client of wss.clients) client.terminate();
    return new Promise((resolve) => wss.close(resolve));
  });
  const next = once(wss, 'connection').then(([socket]) => socket as WebSocket);
  return { port: (wss.address() as AddressInfo).port, next };
}

const options = (port: number) => ({
  host: '127.0.0.1',
  port,
  path: '/',
  needles: [Buffer.from('"type":"broadcast"')],
  capture: true,
  timeoutMs: 5000,
});

test('accept value matches RFC 6455 example', () => {
  assert.equal(acceptFor('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  assert.deepEqual(readHandshake(Buffer.from('HTTP/1.1 401 Unauthorized\r\n\r\n'), 'k'), {
    done: true,
    ok: false,
    error: 'HTTP 401: HTTP/1.1 401 Unauthorized',
  });
  assert.deepEqual(readHandshake(Buffer.from('HTTP/1.1 101'), 'k'), { done: false });
});

test('counts deliveries, answers pings, records the close code', async (t) => {
  const { port, next } = await server(t);
  const payloads: string[] = [];
  const client = await connectRawClient({ ...options(port), onDelivery: (_c, p) => payloads.push(String(p)) });
  const socket = await next;
  socket.send('{"type":"hello"}');
  socket.send('{"type":"broadcast","data":{"t":1}}');
  const pong = once(socket, 'pong');
  socket.ping('x');
  const [data] = (await pong) as [Buffer];
  assert.equal(data.toString(), 'x');
  assert.ok(await waitUntil(() => client.deliveries === 1, 2000));
  assert.deepEqual(payloads, ['{"type":"broadcast","data":{"t":1}}']);
  socket.close(4002, 'slow');
  assert.ok(await waitUntil(() => client.ended, 2000), 'connection ended');
  assert.equal(client.closeCode, 4002);
  assert.ok(client.wireBytes > 100);
});

test('a refused upgrade rejects with the HTTP status', async (t) => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: () => false });
  await once(wss, 'listening');
  t.after(() => new Promise((resolve) => wss.close(resolve)));
  await assert.rejects(connectRawClient(options((wss.address() as AddressInfo).port)), /HTTP 401/);
});

test('a paused client stops reading until resumed', async (t) => {
  const { port, next } = await server(t);
  const client = await connectRawClient({ ...options(port), capture: false, paused: true });
  const socket = await next;
  const chunk = `{"type":"broadcast","p":"${'x'.repeat(60_000)}"}`;
  for (let i = 0; i < 200; i++) socket.send(chunk);
  assert.ok(await waitUntil(() => socket.bufferedAmount > 0, 5000), 'server side backs up');
  assert.ok(client.deliveries < 200);
  client.resume();
  assert.ok(await waitUntil(() => client.deliveries === 200, 10_000), `all read after resume (${client.deliveries})`);
  client.destroy();
});

test('with a ready needle, the connect resolves only after the greeting', async (t) => {
  const { port, next } = await server(t);
  let opened = false;
  const connecting = connectRawClient({ ...options(port), readyNeedle: Buffer.from('"type":"hello"') }).then((c) => {
    opened = true;
    return c;
  });
  const socket = await next;
  socket.send('{"type":"broadcast","early":true}');
  // The client answers pings in order: once the pong is back, it has read the frame before it.
  const pong = once(socket, 'pong');
  socket.ping();
  await pong;
  assert.equal(opened, false, 'not ready before the greeting');
  socket.send('{"type":"hello","user":"u"}');
  const client = await connecting;
  assert.equal(client.deliveries, 1);
  client.destroy();
});
