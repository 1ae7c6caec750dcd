import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { newId } from './src/inbox/ids.ts';
const variants: Record<string, string> = {
  full4: `CREATE TABLE u (user_id TEXT PRIMARY KEY, last_seq INT, unread INT) WITHOUT ROWID;
    CREATE TABLE n (id TEXT NOT NULL UNIQUE, user_id TEXT, seq INT, kind TEXT, data TEXT, dedupe_key TEXT, created_at TEXT, read_at TEXT);
    CREATE UNIQUE INDEX n_us ON n(user_id, seq); CREATE UNIQUE INDEX n_d ON n(user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
    CREATE INDEX n_un ON n(user_id, seq) WHERE read_at IS NULL;`,
  nounread: `CREATE TABLE u (user_id TEXT PRIMARY KEY, last_seq INT, unread INT) WITHOUT ROWID;
    CREATE TABLE n (id TEXT NOT NULL UNIQUE, user_id TEXT, seq INT, kind TEXT, data TEXT, dedupe_key TEXT, created_at TEXT, read_at TEXT);
    CREATE UNIQUE INDEX n_us ON n(user_id, seq); CREATE UNIQUE INDEX n_d ON n(user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;`,
  noid: `CREATE TABLE u (user_id TEXT PRIMARY KEY, last_seq INT, unread INT) WITHOUT ROWID;
    CREATE TABLE n (id TEXT NOT NULL, user_id TEXT, seq INT, kind TEXT, data TEXT, dedupe_key TEXT, created_at TEXT, read_at TEXT);
    CREATE UNIQUE INDEX n_us ON n(user_id, seq); CREATE UNIQUE INDEX n_d ON n(user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
    CREATE INDEX n_un ON n(user_id, seq) WHERE read_at IS NULL;`,
};
for (const [name, ddl] of Object.entries(variants)) for (const sync of ['FULL', 'NORMAL']) {
  const dir = mkdtempSync(join(tmpdir(), 'xp-'));
  const db = new Database(join(dir, 'x.db'));
  db.pragma('journal_mode=WAL'); db.pragma('synchronous=' + sync); db.pragma('cache_size=-65536'); db.pragma(`wal_autocheckpoint=${process.env.CK ?? 1000}`);
  db.exec(ddl);
  const get = db.prepare('SELECT last_seq, unread FROM u WHERE user_id=?');
  const put = db.prepare('INSERT INTO u VALUES (?,?,?) ON CONFLICT(user_id) DO UPDATE SET last_seq=excluded.last_seq, unread=excluded.unread');
  const ins = db.prepare('INSERT INTO n (id,user_id,seq,kind,data,dedupe_key,created_at) VALUES (?,?,?,?,?,?,?)');
  const seqs = new Map<string, number>();
  const data = JSON.stringify({ text: 'bob replied to your comment on "Group commit in practice"', i: 1 });
  const tx = db.transaction((k: number) => {
    const now = new Date().toISOString();
    for (let i = 0; i < 1000; i++) {
      const u = `user-${(k * 1000 + i * 7919) % 10000}`;
      const c = get.get(u) as any; const s = (c?.last_seq ?? 0) + 1;
      ins.run(newId(), u, s, 'reply', data, null, now); put.run(u, s, (c?.unread ?? 0) + 1);
    }
  });
  const t0 = performance.now(); let k = 0;
  while (performance.now() - t0 < 4000) tx.immediate(k++);
  const el = performance.now() - t0;
  console.log(name, sync, Math.round(k * 1000 / (el / 1000)), '/s', (el / k).toFixed(1), 'ms/batch');
  db.close(); rmSync(dir, { recursive: true });
}
