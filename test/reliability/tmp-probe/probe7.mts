import { createServer } from 'node:http';
import { connect } from 'node:net';
for (const withWriter of [false, true]) {
  const srv = createServer({ connectionsCheckingInterval: 500 }, (_q, r) => r.end());
  srv.headersTimeout = 2000; srv.requestTimeout = 30000;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  const t0 = Date.now();
  const res: string[] = [];
  const socks = Array.from({ length: 3 }, (_, i) => { const s = connect(port, '127.0.0.1'); s.on('error', () => {}); if (withWriter && i === 0) s.on('connect', () => s.write('GET / HTTP/1.1\r\n')); s.on('close', () => res.push(`${i}:${Date.now() - t0}`)); return s; });
  await new Promise((r) => setTimeout(r, 4000));
  console.log({ withWriter, res });
  socks.forEach((s) => s.destroy()); srv.close();
}
