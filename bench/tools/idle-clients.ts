/**
 * Hold N authenticated `/inform/` sockets open against a running Tidings server, for memory inspection
 * (heap snapshots, RSS). Each socket is a different user; it counts as open once its `hello` arrived.
 * Run: `node --import tsx bench/tools/idle-clients.ts --port 8000 --secret <TIDINGS_JWT_SECRET> --count 5000`
 * Prints `open <n>` when all are open, then keeps them until killed (Ctrl-C).
 */
import { WebSocket } from 'ws';
import { signUserToken } from '../lib/jwt.js';

function flag(name: string, fallback?: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : fallback;
  if (value === undefined) throw new Error(`usage: idle-clients.ts --port <port> --secret <jwt secret> [--count n] [--first k] (missing --${name})`);
  return value;
}

const port = Number(flag('port'));
const secret = flag('secret');
const count = Number(flag('count', '1000'));
const first = Number(flag('first', '0'));
const BATCH = 250;
const sockets: WebSocket[] = [];

function open(user: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/inform/?token=${signUserToken(user, secret)}`);
    sockets.push(ws);
    ws.once('message', () => resolve());
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed with ${code} before hello`)));
  });
}

for (let i = 0; i < count; i += BATCH) {
  const batch = Array.from({ length: Math.min(BATCH, count - i) }, (_, j) => open(`idle-${first + i + j}`));
  await Promise.all(batch);
}
console.log(`open ${sockets.length}`);
process.on('SIGINT', () => process.exit(0));
setInterval(() => {}, 1 << 30);
