import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, formatPrettyLine, prettyStream, redactUrl } from '../../../src/log/index.js';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, cb) => (chunks.push(String(c)), cb()) }), text: () => chunks.join('') };
}

const at = new Date(2026, 0, 2, 3, 4, 5).getTime();

describe('formatPrettyLine', () => {
  it('prints HH:MM:SS LEVEL msg key=value, leaving out pid and hostname', () => {
    const line = JSON.stringify({ level: 30, time: at, pid: 42, hostname: 'h', module: 'server', user: 'alice', code: 1000, msg: 'connection closed' });
    assert.equal(formatPrettyLine(line), '03:04:05 INFO  connection closed module=server user=alice code=1000');
  });

  it('quotes strings with spaces, prints objects as JSON, null as null', () => {
    const line = JSON.stringify({ level: 40, time: at, msg: 'x', why: 'two words', nested: { a: [1, 2] }, user: null });
    assert.equal(formatPrettyLine(line), '03:04:05 WARN  x why="two words" nested={"a":[1,2]} user=null');
  });

  it('shows an error message, code and stack on indented lines', () => {
    const line = JSON.stringify({ level: 50, time: at, msg: 'failed', err: { type: 'Error', message: 'boom', code: 'E_X', stack: 'Error: boom\n    at f (a.js:1:1)\n    at g (b.js:2:2)' } });
    assert.equal(formatPrettyLine(line), '03:04:05 ERROR failed err=boom errCode=E_X\n    at f (a.js:1:1)\n    at g (b.js:2:2)');
  });

  it('colors the level only when asked, and passes non-JSON through', () => {
    const line = JSON.stringify({ level: 60, time: at, msg: 'down' });
    assert.equal(formatPrettyLine(line, true), '03:04:05 \u001b[35mFATAL\u001b[39m down');
    assert.equal(formatPrettyLine('plain text'), 'plain text');
    assert.equal(formatPrettyLine('[1,2]'), '[1,2]');
  });
});

describe('prettyStream', () => {
  it('reassembles lines split across writes and splits batched ones', async () => {
    const out = sink();
    const pretty = prettyStream(out.stream);
    const a = JSON.stringify({ level: 30, time: at, msg: 'one' });
    const b = JSON.stringify({ level: 20, time: at, msg: 'two' });
    pretty.write(a.slice(0, 10));
    pretty.write(`${a.slice(10)}\n${b}\n`);
    await new Promise<void>((resolve) => pretty.end(resolve));
    assert.equal(out.text(), '03:04:05 INFO  one\n03:04:05 DEBUG two\n');
  });
});

describe('createLogger({ pretty: true })', () => {
  it('writes pretty lines, with secrets redacted', () => {
    const out = sink();
    const log = createLogger({ pretty: true, destination: out.stream, level: 'debug' });
    log.child({ module: 'http' }).info({ token: 'eyJsecret', headers: { authorization: 'Bearer k3y', cookie: 'sid=c00kie' } }, 'request');
    log.debug('details');
    const text = out.text();
    assert.match(text, /^\d\d:\d\d:\d\d INFO  request module=http token=\[redacted\] headers=/m);
    assert.match(text, /^\d\d:\d\d:\d\d DEBUG details$/m);
    for (const secret of ['eyJsecret', 'k3y', 'c00kie']) assert.ok(!text.includes(secret), secret);
  });
});

describe('redactUrl', () => {
  it('masks passwords and credential query parameters, keeps the rest', () => {
    assert.equal(redactUrl('redis://:hunter2@127.0.0.1:6379/0'), 'redis://:***@127.0.0.1:6379/0');
    assert.equal(redactUrl('postgres://app:pw@db:5432/t?sslmode=require&password=pw'), 'postgres://app:***@db:5432/t?sslmode=require&password=***');
    assert.equal(redactUrl('/inform/?token=eyJabc.def&since=4'), '/inform/?token=***&since=4');
    assert.equal(redactUrl('wss://x.test/inform/?access_token=abc'), 'wss://x.test/inform/?access_token=***');
    assert.equal(redactUrl('sqlite:./data/tidings.db'), 'sqlite:./data/tidings.db');
    assert.equal(redactUrl('memory'), 'memory');
  });
});
