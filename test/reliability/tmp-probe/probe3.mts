import { startChildServer } from '../helpers/child-server.js';
import { RawSocket, Op, encodeFrame } from '../helpers/raw-ws.js';
const srv = await startChildServer({ maxConnectionsPerUser: 10000, perMessageDeflate: true });
const rss0 = srv.rss(); srv.resetPeak();
for (const size of [1, 0]) {
  const ws = await RawSocket.open(await srv.informUrl('flood'));
  await ws.nextJson();
  const probe = await RawSocket.open(await srv.informUrl('probe'));
  await probe.nextJson();
  const frames = [encodeFrame({ opcode: Op.TEXT, payload: Buffer.alloc(size, 0x61), fin: false })];
  for (let i = 1; i < 200000; i++) frames.push(encodeFrame({ opcode: Op.CONT, payload: Buffer.alloc(size, 0x61), fin: false }));
  const buf = Buffer.concat(frames);
  const t0 = performance.now();
  ws.socket.write(buf);
  // measure probe latency during flood
  const lat: number[] = [];
  for (let i = 0; i < 20; i++) { const s = performance.now(); probe.send({ opcode: Op.TEXT, payload: '{"type":"ping"}' }); await probe.nextJson(); lat.push(performance.now() - s); }
  let closed;
  try { closed = await ws.closed(3000); } catch (e) { closed = String(e); }
  console.log({ size, bytes: buf.length, closed, ms: typeof closed === 'object' ? closed.at - t0 : null, maxLat: Math.max(...lat), peakGrowthMB: (srv.peakRss() - rss0) / 1e6, rssGrowthMB: (srv.rss() - rss0) / 1e6 });
  ws.destroy(); probe.destroy();
}
console.log(await srv.heap());
await srv.stop();
