/**
 * The webhook verification snippets of docs/offline.md work: the Node one and the Python one (run with
 * python3) accept a body signed as Tidings signs it, and refuse a changed body, a wrong secret and an old `t`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { webhookBody, webhookSignature } from '../../../src/reach/index.js';

const doc = readFileSync('docs/offline.md', 'utf8');
const body = webhookBody({ user: 'alice', payload: { items: [{ id: 'n1', seq: 1, kind: 'reply', data: { text: 'é ✓' }, createdAt: '2026-01-01T00:00:00.000Z' }] } });
const now = Math.floor(Date.now() / 1000);
const header = (t: number, secret = 'whsec') => `t=${t},v1=${webhookSignature(secret, t, body)}`;
const cases: [string, string, boolean][] = [
  [header(now), body, true],
  [header(now), body.replace('alice', 'mallory'), false],
  [header(now, 'other'), body, false],
  [header(now - 600), body, false],
  ['garbage', body, false],
];

test('the Node snippet verifies what Tidings signs', async () => {
  const js = /```js\n(import \{ createHmac[\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(js, 'docs/offline.md has the Node snippet');
  const dir = mkdtempSync(join(tmpdir(), 'tidings-snippet-'));
  try {
    writeFileSync(join(dir, 'verify.mjs'), js);
    const { verifyTidings } = (await import(pathToFileURL(join(dir, 'verify.mjs')).href)) as { verifyTidings: (s: string, h: string, b: string) => boolean };
    for (const [h, b, ok] of cases) assert.equal(verifyTidings('whsec', h, b), ok, h);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the Python snippet verifies what Tidings signs', () => {
  const py = /```python\n[\s\S]*?(def verify_tidings[\s\S]*?)\n\n@csrf_exempt/.exec(doc)?.[1];
  assert.ok(py, 'docs/offline.md has the Python snippet');
  const script = `import hashlib, hmac, json, sys, time\n${py}\nfor h, b in json.load(sys.stdin):\n    print(verify_tidings(b"whsec", h, b.encode()))\n`;
  const run = spawnSync('python3', ['-c', script], { input: JSON.stringify(cases.map(([h, b]) => [h, b])), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(run.stdout.trim().split('\n'), cases.map(([, , ok]) => (ok ? 'True' : 'False')));
});
