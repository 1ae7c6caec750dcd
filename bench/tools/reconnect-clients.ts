/**
 * One reconnect storm against a running server, for measuring what a connection costs the server with an
 * instruction counter (callgrind) or a profiler rather than a clock: `--count` users connect with their
 * token and `?since=0`, `--batch` at a time, each waits for its ready frame, then all close.
 * Run: `node --import tsx bench/tools/reconnect-clients.ts --port 8000 --secret <TIDINGS_JWT_SECRET> --count 500 [--first k] [--path /inform/] [--ready resumed]`
 * Prints `done <n> <ms>` and exits (non-zero if a socket failed). Tokens are signed as in the bench, one per
 * user, so two runs with the same `--first` reconnect with the same tokens. With `--path /` and
 * `--ready none` it drives the ws reference (`BENCH_JWT_SECRET`), which sends nothing after the 101.
 */
import { WebSocket } from 'ws';
import { signUserToken } from '../lib/jwt.js';

function flag(name: string, fallback?: string): string {
  const index = process.argv.indexOf(`--${name}`);
  const value = index >= 0 ? process.argv[index + 1] : fallback;
  if (value === undefined) throw new Error(`usage: reconnect-clients.ts --port <port> --secret <jwt secret> [--count n] [--first k] [--batch b] [--path p] [--ready type|none] (missing --${name})`);
  return value;
}

const port = Number(flag('port'));
const secret = flag('secret');
const count = Number(flag('count', '500'));
const first = Number(flag('first', '0'));
const batch = Number(flag('batch', '50'));
const path = flag('path', '/inform/');
const ready = flag('ready', 'resumed');
// Tokens signed before the storm, issued at the start of the hour, so reruns present byte-identical tokens.
const hour = Math.floor(Date.now() / 3_600_000) * 3600;
const tokens = Array.from({ length: count }, (_, i) => signUserToken(`storm-${first + i}`, secret, 2 * 86_400, hour));

function open(token: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}?token=${token}&since=0`);
    const needle = `"type":"${ready}"`;
    if (ready === 'none') ws.once('open', () => resolve(ws));
    else ws.on('message', (data: Buffer) => void (data.toString().includes(needle) && resolve(ws)));
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`closed with ${code} before ready`)));
  });
}

const started = Date.now();
const sockets: WebSocket[] = [];
for (let i = 0; i < count; i += batch) sockets.push(...(await Promise.all(tokens.slice(i, i + batch).map(open))));
const ms = Date.now() - started;
await Promise.all(sockets.map((ws) => new Promise((resolve) => (ws.once('close', resolve), ws.close()))));
console.log(`done ${sockets.length} ${ms}`);
