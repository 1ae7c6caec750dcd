/**
 * What each connection costs on the heap: compare two V8 heap snapshots taken before and after opening N
 * sockets and print the difference per socket, by object type, largest first.
 * Run: `node --import tsx bench/tools/heap-diff.ts before.heapsnapshot after.heapsnapshot 5000`
 * (see docs/performance.md, "Memory per socket", for taking the snapshots).
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Count and self size of the snapshot's nodes, by "type|name" (strings, code and numbers pooled). */
function tally(path: string): Map<string, [number, number]> {
  const s = JSON.parse(readFileSync(path, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + typeAt] ?? 0] ?? '?';
    const pooled = type.includes('string') ? '(strings)' : type === 'code' ? '(code)' : type === 'number' ? '(heap numbers)' : undefined;
    const key = `${type}|${pooled ?? s.strings[s.nodes[i + nameAt] ?? 0] ?? ''}`;
    const entry = out.get(key) ?? [0, 0];
    entry[0]++;
    entry[1] += s.nodes[i + sizeAt] ?? 0;
    out.set(key, entry);
  }
  return out;
}

const [beforePath, afterPath, perArg] = process.argv.slice(2);
if (!beforePath || !afterPath || !perArg) throw new Error('usage: heap-diff.ts <before.heapsnapshot> <after.heapsnapshot> <sockets opened in between>');
const per = Number(perArg);
const before = tally(beforePath);
const rows = [...tally(afterPath)].map(([key, [count, size]]) => {
  const [c0, s0] = before.get(key) ?? [0, 0];
  return { key, count: (count - c0) / per, bytes: (size - s0) / per };
});
rows.sort((a, b) => b.bytes - a.bytes);
const total = rows.reduce((sum, r) => sum + r.bytes, 0);
console.log(`heap per socket: ${total.toFixed(0)} bytes (${per} sockets)`);
for (const r of rows.filter((r) => Math.abs(r.bytes) >= 8)) {
  console.log(`${r.bytes.toFixed(0).padStart(7)} B  ${r.count.toFixed(2).padStart(6)} ×  ${r.key}`);
}
