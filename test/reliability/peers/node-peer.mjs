// An independent WebSocket peer for the Tidings reliability suite: Node's built-in WebSocket (undici),
// run with `node --experimental-websocket` on Node 20.
// Usage: node --experimental-websocket node-peer.mjs URL COUNT
// Prints {"event":"ready",...} after the hello frame, then {"event":"done","notifications":[{seq,i}...]}
// once COUNT notification frames arrived; {"event":"error","message"} and exit status 1 on failure.
const [url, countArg] = process.argv.slice(2);
const count = Number(countArg);
const emit = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);
const fail = (message) => {
  emit({ event: 'error', message });
  process.exit(1);
};
const timer = setTimeout(() => fail('timed out'), 20_000);

if (typeof WebSocket !== 'function') fail('no global WebSocket (run with --experimental-websocket)');
const ws = new WebSocket(url);
const got = [];
let ready = false;
ws.addEventListener('message', (ev) => {
  const frame = JSON.parse(String(ev.data));
  if (!ready) {
    if (frame.type !== 'hello') fail(`first frame is not hello: ${ev.data}`);
    ready = true;
    emit({ event: 'ready', hello: frame, extensions: ws.extensions ? [ws.extensions] : [] });
    return;
  }
  if (frame.type !== 'notification') return;
  got.push({ seq: frame.seq, i: frame.data.i });
  if (got.length === count) ws.close(1000);
});
ws.addEventListener('close', (ev) => {
  clearTimeout(timer);
  if (got.length < count) fail(`closed (${ev.code}) after ${got.length} of ${count} notifications`);
  emit({ event: 'done', notifications: got, extensions: ws.extensions ? [ws.extensions] : [] });
});
ws.addEventListener('error', () => fail('connection error'));
