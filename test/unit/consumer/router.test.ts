import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, include, route, urlRouter, originValidator, stack, authMiddleware, isOriginAllowed } from '../../../src/consumer/index.js';
import { createMemoryChannelLayer } from '../../../src/layer/index.js';
import { TidingsError } from '../../../src/errors.js';
import { WebsocketCommunicator } from '../../../src/testing/index.js';

const layer = createMemoryChannelLayer();
after(() => layer.close());

class Params extends Consumer {
  override connect(): void {
    this.accept();
    this.send(JSON.stringify(this.scope.params));
  }
}

describe('urlRouter', () => {
  const app = urlRouter([route('/inform/', Params.asApp()), ...include('/v2', [route('/rooms/:room/', Params.asApp())])]);

  it('routes by path and extracts parameters', async () => {
    const c = new WebsocketCommunicator(app, '/v2/rooms/lobby%20one/', { layer });
    assert.equal((await c.connect()).accepted, true);
    assert.deepEqual(await c.receiveJson(), { room: 'lobby one' });
  });

  it('refuses an unknown path with 404 before the upgrade', async () => {
    const r = await new WebsocketCommunicator(app, '/nope/', { layer }).connect();
    assert.equal(r.accepted === false && r.status, 404);
  });

  it('rejects a pattern without a leading slash', () => {
    assert.throws(() => route('inform/', Params.asApp()), /must start with "\/"/);
  });
});

describe('originValidator', () => {
  it('defaults to same origin: the Origin host must equal the Host header', () => {
    assert.equal(isOriginAllowed('http://a.test:8006', 'a.test:8006', []), true);
    assert.equal(isOriginAllowed('http://evil.test', 'a.test:8006', []), false);
    assert.equal(isOriginAllowed(undefined, 'a.test', []), true);
    assert.equal(isOriginAllowed('null', 'a.test', []), false);
  });

  it('boundaries: a look-alike domain, the bare domain of a wildcard, the same host on another port', () => {
    assert.equal(isOriginAllowed('https://evilexample.com', 'x', ['https://*.example.com']), false);
    assert.equal(isOriginAllowed('https://example.com', 'x', ['https://*.example.com']), false);
    assert.equal(isOriginAllowed('https://a.b.example.com', 'x', ['https://*.example.com']), true);
    assert.equal(isOriginAllowed('https://example.com', 'x', ['https://example.com']), true);
    assert.equal(isOriginAllowed('https://example.com:8443', 'x', ['https://example.com']), false);
    assert.equal(isOriginAllowed('http://a.test:9000', 'a.test:8006', []), false);
    assert.equal(isOriginAllowed('http://a.test', 'a.test:8006', []), false);
  });

  it('matches exact origins, host wildcards and *', () => {
    assert.equal(isOriginAllowed('https://app.example.com', 'x', ['https://app.example.com']), true);
    assert.equal(isOriginAllowed('http://app.example.com', 'x', ['https://app.example.com']), false);
    assert.equal(isOriginAllowed('https://a.example.com', 'x', ['https://*.example.com']), true);
    assert.equal(isOriginAllowed('https://example.com.evil.test', 'x', ['https://*.example.com']), false);
    assert.equal(isOriginAllowed('https://anything.test', 'x', ['*']), true);
  });

  it('refuses a disallowed Origin with 403 before the upgrade', async () => {
    const app = stack(Params.asApp(), originValidator(['https://good.test']));
    const bad = await new WebsocketCommunicator(app, '/', { layer, headers: { origin: 'https://evil.test' } }).connect();
    assert.equal(bad.accepted === false && bad.status, 403);
    assert.equal(bad.accepted === false && bad.code, 'ORIGIN_NOT_ALLOWED');
    const good = await new WebsocketCommunicator(app, '/', { layer, headers: { origin: 'https://good.test' } }).connect();
    assert.equal(good.accepted, true);
  });
});

describe('authMiddleware', () => {
  class Who extends Consumer {
    override connect(): void {
      this.accept();
      this.send(this.scope.user?.id ?? 'anonymous');
    }
  }

  it('puts the authenticated user in scope.user', async () => {
    const app = stack(Who.asApp(), authMiddleware(() => ({ id: 'alice' })));
    const c = new WebsocketCommunicator(app, '/', { layer });
    await c.connect();
    assert.deepEqual(await c.receiveOutput(), { type: 'text', text: 'alice' });
  });

  it('refuses with the status of a TidingsError from the authenticator', async () => {
    const app = stack(Who.asApp(), authMiddleware(() => {
      throw new TidingsError('TOKEN_EXPIRED');
    }));
    const r = await new WebsocketCommunicator(app, '/', { layer }).connect();
    assert.equal(r.accepted === false && r.status, 401);
    assert.equal(r.accepted === false && r.code, 'TOKEN_EXPIRED');
  });

  it('with refuseWith "close", accepts and closes with the error close code (browsers can read it)', async () => {
    const app = stack(Who.asApp(), authMiddleware(() => {
      throw new TidingsError('TOKEN_EXPIRED');
    }, { refuseWith: 'close' }));
    const c = new WebsocketCommunicator(app, '/', { layer });
    assert.equal((await c.connect()).accepted, true);
    assert.deepEqual(await c.receiveClose(), { code: 4501, reason: 'TOKEN_EXPIRED' });
  });

  it('refuses with 500 when the authenticator fails unexpectedly', async () => {
    const app = stack(Who.asApp(), authMiddleware(() => {
      throw new Error('db down');
    }));
    const r = await new WebsocketCommunicator(app, '/', { layer }).connect();
    assert.equal(r.accepted === false && r.status, 500);
  });
});
