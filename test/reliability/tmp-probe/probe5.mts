import { startChildServer } from '../helpers/child-server.js';
import { connect } from 'node:net';
import { readdirSync, readlinkSync } from 'node:fs';
const srv = await startChildServer({ handshakeTimeout: 2 });
const base = srv.fds();
const list = () => readdirSync(`/proc/${srv.pid}/fd`).map((f) => { try { return readlinkSync(`/proc/${srv.pid}/fd/${f}`); } catch { return '?'; } });
const b = list();
const socks = Array.from({ length: 50 }, () => { const s = connect(srv.port, '127.0.0.1'); s.on('error', () => {}); return s; });
await Promise.all(socks.map((s) => new Promise((r) => s.once('close', r))));
const t0 = Date.now();
for (let i = 0; i < 40; i++) { console.log(Date.now() - t0, srv.fds(), base); if (srv.fds() <= base) break; await new Promise((r) => setTimeout(r, 100)); }
console.log(list().filter((x) => !b.includes(x)).slice(0, 5));
await srv.stop();
