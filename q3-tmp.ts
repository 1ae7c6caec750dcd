import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { newId } from './src/inbox/ids.ts';
const U = `CREATE TABLE u (user_id TEXT PRIMARY KEY, last_seq INT, unread INT) WITHOUT ROWID;`;
const base = `${U} CREATE TABLE n (id TEXT NOT NULL UNIQUE, user_id TEXT, seq INT, kind TEXT, data TEXT, dedupe_key TEXT, created_at TEXT, read_at TEXT);`;
const idx: Record<string, string> = {
  us: 'CREATE UNIQUE INDEX n_us ON n(user_id, seq);',
  d: 'CREATE UNIQUE INDEX n_d ON n(user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;',
  un: 'CREATE INDEX n_un ON n(user_id, seq) WHERE read_at IS NULL;',
};
const data = JSON.stringify({ text: 'bob replied to your comment on "Group commit in practice"', i: 1 });
function run(indexes: string[], file: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'xp-'));
  const db = new Database(file ? join(dir, 'x.db') : ':memory:');
  db.pragma('journal_mode=WAL'); db.pragma('synchronous=NORMAL'); db.pragma('cache_size=-65536'); db.pragma('wal_autocheckpoint=10000');
  db.exec(base + indexes.map(i => idx[i]).join(''));
  const get = db.prepare('SELECT last_seq, unread FROM u WHERE user_id=?');
  const put = db.prepare('INSERT INTO u VALUES (?,?,?) ON CONFLICT(user_id) DO UPDATE SET last_seq=excluded.last_seq, unread=excluded.unread');
  const ins = db.prepare('INSERT INTO n (id,user_id,seq,kind,data,dedupe_key,created_at) VALUES (?,?,?,?,?,?,?)');
  const t = { get: 0, ins: 0, put: 0, commit: 0 };
  let k = 0;
  const batch = () => {
    const now = new Date().toISOString();
    let a = performance.now();
    db.exec('BEGIN IMMEDIATE');
    const users: string[] = []; for (let i = 0; i < 1000; i++) users.push(`user-${(k * 1000 + i * 7919) % 10000}`);
    const cs = new Map<string, { s: number; u: number }>();
    for (const u of users) { const c = get.get(u) as any; cs.set(u, { s: c?.last_seq ?? 0, u: c?.unread ?? 0 }); }
    let b = performance.now(); t.get += b - a; a = b;
    for (const u of users) { const c = cs.get(u)!; c.s++; c.u++; ins.run(newId(), u, c.s, 'reply', data, null, now); }
    b = performance.now(); t.ins += b - a; a = b;
    for (const [u, c] of cs) put.run(u, c.s, c.u);
    b = performance.now(); t.put += b - a; a = b;
    db.exec('COMMIT');
    b = performance.now(); t.commit += b - a;
    k++;
  };
  for (let i = 0; i < 300; i++) batch(); // 300k rows
  const c0 = process.cpuUsage(); Object.assign(t, { get: 0, ins: 0, put: 0, commit: 0 }); const n0 = k;
  for (let i = 0; i < 100; i++) batch();
  const cpu = process.cpuUsage(c0); const rows = (k - n0) * 1000;
  db.close(); rmSync(dir, { recursive: true });
  const us = (x: number) => (x * 1000 / rows).toFixed(1);
  return `cpu ${((cpu.user + cpu.system) / rows).toFixed(1)}µs/row (sys ${(cpu.system / rows).toFixed(1)}) wall get ${us(t.get)} ins ${us(t.ins)} put ${us(t.put)} commit ${us(t.commit)} µs/row`;
}
for (const f of [false, true]) for (const ix of [['us', 'd', 'un'], ['us', 'd'], ['us'], []]) console.log(f ? 'file' : 'mem ', ix.join('+').padEnd(8), run(ix, f));
