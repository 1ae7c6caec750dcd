/**
 * `npm run bench:django [-- --sockets 200 --batch 20 --seconds 5]`: Django's `group_send` (channels_redis
 * core layer) to N WebSocket clients of the blog post's InformConsumer, served first by ONE daphne process,
 * then by ONE Tidings process (`examples/inform/server.ts` with TIDINGS_LAYER=channels-redis). Same Redis,
 * same Django sender, same clients; only the server changes.
 *
 * Closed loop, so neither server is pushed past channels_redis' capacity (which would drop and flatter it):
 * the sender (a Django process, `layer.group_send` in a loop) sends `batch` messages, the bench waits until
 * every socket has all of them, and repeats until `seconds` have passed. Reported per server: deliveries/s
 * (frames received by the clients / wall time) and the server's CPU per delivery (user + system time of its
 * process from /proc, divided by deliveries). Loopback only; bounded in sockets, rounds and time.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import { Daphne, LayerPeer, startInformExample } from '../test/support/services/django.js';
import { cpuMsBetween, sampleProcess } from './lib/proc.js';

const REDIS_URL = process.env.TIDINGS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const INFORM = { type: 'web_update_inform', func: 'comment', username: 'alice', article: 'Channels in TypeScript', head_image: '/static/alice.png', trigger_username: 'bob' };

interface Result {
  server: string;
  sockets: number;
  sends: number;
  deliveries: number;
  seconds: number;
  cpuMs: number;
}

/** N clients on `url`, counting frames; `until(total)` resolves once they have received `total` in all. */
async function openClients(url: string, n: number): Promise<{ received: () => number; until: (total: number, timeoutMs: number) => Promise<void>; close: () => void }> {
  let received = 0;
  let waiter: { total: number; resolve: () => void } | undefined;
  const sockets = await Promise.all(
    Array.from({ length: n }, () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.on('message', () => {
        received++;
        if (waiter && received >= waiter.total) waiter.resolve();
      });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
    })),
  );
  return {
    received: () => received,
    until: (total, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (received >= total) return resolve();
        const timer = setTimeout(() => reject(new Error(`only ${received} of ${total} deliveries within ${timeoutMs} ms`)), timeoutMs);
        waiter = { total, resolve: () => (clearTimeout(timer), (waiter = undefined), resolve()) };
      }),
    close: () => sockets.forEach((s) => s.terminate()),
  };
}

async function measure(server: string, url: string, pid: number, sender: LayerPeer, options: { sockets: number; batch: number; seconds: number }): Promise<Result> {
  const clients = await openClients(`${url.replace('http', 'ws')}/inform/`, options.sockets);
  try {
    // Warm-up round (not counted): JIT, connection pools, script loading.
    await sender.call({ op: 'group_send_many', group: 'yunbo_inform', message: INFORM, count: options.batch }, 60_000);
    await clients.until(options.sockets * options.batch, 60_000);
    const base = clients.received();
    const before = sampleProcess(pid);
    const t0 = performance.now();
    let sends = 0;
    while (performance.now() - t0 < options.seconds * 1000 && sends < 100_000) {
      await sender.call({ op: 'group_send_many', group: 'yunbo_inform', message: INFORM, count: options.batch }, 60_000);
      sends += options.batch;
      await clients.until(base + sends * options.sockets, 60_000);
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpuMs = cpuMsBetween(before, sampleProcess(pid));
    return { server, sockets: options.sockets, sends, deliveries: clients.received() - base, seconds, cpuMs };
  } finally {
    clients.close();
  }
}

function table(results: Result[]): string {
  const rows = results.map((r) => {
    const perSecond = Math.round(r.deliveries / r.seconds);
    const cpuUs = ((r.cpuMs * 1000) / r.deliveries).toFixed(2);
    return `| ${r.server} | ${r.sockets} | ${r.sends} | ${r.deliveries} | ${r.seconds.toFixed(1)} | ${perSecond} | ${cpuUs} |`;
  });
  const [daphne, tidings] = results;
  const ratio = daphne && tidings ? `\nCPU per delivery, daphne / Tidings: ${(daphne.cpuMs / daphne.deliveries / (tidings.cpuMs / tidings.deliveries)).toFixed(1)}x; deliveries/s, Tidings / daphne: ${(tidings.deliveries / tidings.seconds / (daphne.deliveries / daphne.seconds)).toFixed(1)}x\n` : '';
  return `| server | sockets | group_sends | deliveries | s | deliveries/s | server CPU µs/delivery |\n|---|---|---|---|---|---|---|\n${rows.join('\n')}\n${ratio}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sockets: { type: 'string', default: '200' }, batch: { type: 'string', default: '20' }, seconds: { type: 'string', default: '5' } } });
  const options = { sockets: Math.min(1000, Number(values.sockets)), batch: Math.min(90, Number(values.batch)), seconds: Math.min(30, Number(values.seconds)) };
  const prefix = `bench-django-${process.pid}`;
  const layer = { redisUrl: REDIS_URL, prefix };
  const sender = await LayerPeer.start(layer);
  const results: Result[] = [];
  try {
    const daphne = await Daphne.start(layer);
    try {
      results.push(await measure('daphne 4.0 (1 process)', daphne.url, daphne.pid, sender, options));
    } finally {
      await daphne.stop();
    }
    const tidings = await startInformExample({ TIDINGS_LAYER: 'channels-redis', TIDINGS_REDIS_URL: REDIS_URL, TIDINGS_LAYER_PREFIX: prefix });
    try {
      results.push(await measure('Tidings (1 process)', tidings.url, tidings.pid, sender, options));
    } finally {
      await tidings.stop();
    }
  } finally {
    await sender.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  }
  process.stdout.write(`${table(results)}\ncommand: npm run bench:django -- --sockets ${options.sockets} --batch ${options.batch} --seconds ${options.seconds}\n`);
}

await main();
