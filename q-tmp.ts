import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { newId } from './src/inbox/ids.ts';
const U = `CREATE TABLE u (user_id TEXT PRIMARY KEY, last_seq INT, unread INT) WITHOUT ROWID;`;
const IDX = `CREATE UNIQUE INDEX n_d ON n(user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;`;
const schemas: Record<string, string> = {
  A: `${U} CREATE TABLE n (id TEXT NOT NULL UNIQUE, user_id TEXT, seq INT, kind TEXT, data TEXT, dedupe_key TEXT, created_at TEXT, read_at TEXT);
    CREATE UNIQUE INDEX n_us ON n(user_id, seq); ${IDX} CREATE INDEX n_un ON n(user_id, seq) WHERE read_at IS NULL;`,
  B: `${U} CREATE TABLE n (id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, seq INT NOT NULL, kind TEXT, data TEXT, dedupe_key TEXT, created_at TEXT, read_at TEXT, PRIMARY KEY (user_id, seq)) WITHOUT ROWID;
    ${IDX} CREATE INDEX n_un ON n(user_id, seq) WHERE read_at IS NULL;`,
  A2: `${U} CREATE TABLE n (id TEXT NOT NULL UNIQUE, user_id TEXT, seq INT, kind TEXT, data TEXT, dedupe_key TEXT, created_at TEXT, read_at TEXT);
    CREATE UNIQUE INDEX n_us ON n(user_id, seq); ${IDX}`,
  C: `${U} CREATE TABLE n (id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL, seq INT NOT NULL, kind TEXT, data TEXT, dedupe_key TEXT, created_at TEXT, read_at TEXT, PRIMARY KEY (user_id, seq)) WITHOUT ROWID;
    ${IDX}`,
};
const data = JSON.stringify({ text: 'bob replied to your comment on "Group commit in practice"', i: 1 });
let PS = 4096;
function run(schema: string, strategy: 'each' | 'json', file: boolean): number {
  const dir = mkdtempSync(join(tmpdir(), 'xp-'));
  const db = new Database(file ? join(dir, 'x.db') : ':memory:');
  db.pragma('page_size=' + PS); db.pragma('journal_mode=WAL'); db.pragma('synchronous=NORMAL'); db.pragma('cache_size=-65536'); db.pragma('wal_autocheckpoint=10000');
  db.exec(schemas[schema]!);
  const get = db.prepare('SELECT last_seq, unread FROM u WHERE user_id=?');
  const getMany = db.prepare('SELECT user_id, last_seq, unread FROM u WHERE user_id IN (SELECT value FROM json_each(?))');
  const put = db.prepare('INSERT INTO u VALUES (?,?,?) ON CONFLICT(user_id) DO UPDATE SET last_seq=excluded.last_seq, unread=excluded.unread');
  const putMany = db.prepare(`INSERT INTO u SELECT value->>0, value->>1, value->>2 FROM json_each(?) WHERE true ON CONFLICT(user_id) DO UPDATE SET last_seq=excluded.last_seq, unread=excluded.unread`);
  const ins = db.prepare('INSERT INTO n (id,user_id,seq,kind,data,dedupe_key,created_at) VALUES (?,?,?,?,?,?,?)');
  const insMany = db.prepare(`INSERT INTO n (id,user_id,seq,kind,data,dedupe_key,created_at) SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, ? FROM json_each(?)`);
  const tx = db.transaction((k: number) => {
    const now = new Date().toISOString();
    const users: string[] = []; for (let i = 0; i < 1000; i++) users.push(`user-${(k * 1000 + i * 7919) % 10000}`);
    const cs = new Map<string, { s: number; u: number }>();
    if (strategy === 'each') for (const u of users) { const c = get.get(u) as any; cs.set(u, { s: c?.last_seq ?? 0, u: c?.unread ?? 0 }); }
    else { for (const r of getMany.all(JSON.stringify(users)) as any[]) cs.set(r.user_id, { s: r.last_seq, u: r.unread }); }
    const rows: unknown[][] = [];
    for (const u of users) { let c = cs.get(u); if (!c) cs.set(u, c = { s: 0, u: 0 }); c.s++; c.u++; rows.push([newId(), u, c.s, 'reply', data, null]); }
    if (strategy === 'each') { for (const r of rows) ins.run(...r, now); for (const [u, c] of cs) put.run(u, c.s, c.u); }
    else { insMany.run(now, JSON.stringify(rows)); putMany.run(JSON.stringify([...cs].map(([u, c]) => [u, c.s, c.u]))); }
  });
  for (let k = 0; k < 20; k++) tx.immediate(k);
  const t0 = performance.now(); let k = 20;
  while (performance.now() - t0 < 2500) tx.immediate(k++);
  const el = performance.now() - t0;
  db.close(); rmSync(dir, { recursive: true });
  return Math.round((k - 20) * 1000 / (el / 1000));
}
const res: Record<string, number[]> = {};
for (let rep = 0; rep < 3; rep++) for (const s of ['A', 'A2']) for (const ps of [1024, 4096, 8192]) for (const st of ['each'] as const) for (const f of [true]) {
  PS = ps; const key = `${s} ${ps} ${st} ${f ? 'file' : 'mem'}`; (res[key] ??= []).push(run(s, st, f));
}
for (const [k, v] of Object.entries(res)) console.log(k, v.join(' '));
