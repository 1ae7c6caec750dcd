import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { clientAddressResolver, normaliseIp, parseHop, trustedProxyMatcher } from '../../../src/server/index.js';

function request(remoteAddress: string | undefined, headers: Record<string, string | string[]> = {}): IncomingMessage {
  return { socket: { remoteAddress }, headers } as unknown as IncomingMessage;
}

describe('normaliseIp', () => {
  it('strips the IPv4-mapped IPv6 prefix and leaves other addresses alone', () => {
    assert.equal(normaliseIp('::ffff:127.0.0.1'), '127.0.0.1');
    assert.equal(normaliseIp('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(normaliseIp('2001:db8::1'), '2001:db8::1');
    assert.equal(normaliseIp('::ffff:not-an-ip'), '::ffff:not-an-ip');
  });
});

describe('trustedProxyMatcher', () => {
  it('defaults to loopback only (IPv4 127/8 and ::1)', () => {
    const trusted = trustedProxyMatcher([]);
    assert.equal(trusted('127.0.0.1'), true);
    assert.equal(trusted('127.9.9.9'), true);
    assert.equal(trusted('::1'), true);
    assert.equal(trusted('::ffff:127.0.0.1'), true);
    assert.equal(trusted('10.0.0.1'), false);
    assert.equal(trusted('::2'), false);
  });

  it('matches single addresses and CIDRs, IPv4 and IPv6', () => {
    const trusted = trustedProxyMatcher(['10.0.0.0/8', '192.168.1.7', '2001:db8::/32', 'fd00::5']);
    assert.equal(trusted('10.255.0.1'), true);
    assert.equal(trusted('11.0.0.1'), false);
    assert.equal(trusted('192.168.1.7'), true);
    assert.equal(trusted('192.168.1.8'), false);
    assert.equal(trusted('2001:db8:ffff::1'), true);
    assert.equal(trusted('2001:db9::1'), false);
    assert.equal(trusted('fd00::5'), true);
    assert.equal(trusted('fd00::6'), false);
    assert.equal(trusted('127.0.0.1'), false, 'an explicit list replaces the loopback default');
  });

  it('never trusts something that is not an address', () => {
    const trusted = trustedProxyMatcher(['0.0.0.0/0']);
    assert.equal(trusted('1.2.3.4'), true);
    assert.equal(trusted(''), false);
    assert.equal(trusted('unknown'), false);
  });

  it('names a malformed entry', () => {
    assert.throws(() => trustedProxyMatcher(['10.0.0.1', 'proxy.example.com']), /proxy\.example\.com/);
    assert.throws(() => trustedProxyMatcher(['10.0.0.0/33']), /10\.0\.0\.0\/33/);
    assert.throws(() => trustedProxyMatcher(['10.0.0.0/abc']), /10\.0\.0\.0\/abc/);
  });
});

describe('clientAddressResolver', () => {
  const resolve = clientAddressResolver({ enabled: true, trusted: ['10.0.0.0/8', '2001:db8::/32'] });

  it('ignores X-Forwarded-For when proxy headers are disabled', () => {
    const off = clientAddressResolver({ enabled: false, trusted: ['10.0.0.0/8'] });
    assert.equal(off(request('10.0.0.1', { 'x-forwarded-for': '203.0.113.5' })), '10.0.0.1');
  });

  it('ignores a forged X-Forwarded-For / X-Real-IP from an untrusted peer', () => {
    assert.equal(resolve(request('198.51.100.9', { 'x-forwarded-for': '203.0.113.5', 'x-real-ip': '203.0.113.6' })), '198.51.100.9');
  });

  it('takes the right-most hop that is not a trusted proxy', () => {
    // client-supplied junk, then the real client, then two of our proxies
    assert.equal(resolve(request('10.0.0.1', { 'x-forwarded-for': '6.6.6.6, 203.0.113.5, 10.0.0.2' })), '203.0.113.5');
    assert.equal(resolve(request('10.0.0.1', { 'x-forwarded-for': '203.0.113.5' })), '203.0.113.5');
  });

  it('joins repeated X-Forwarded-For headers in order', () => {
    assert.equal(resolve(request('10.0.0.1', { 'x-forwarded-for': ['6.6.6.6', '203.0.113.7, 10.0.0.3'] })), '203.0.113.7');
  });

  it('handles IPv6 hops and IPv4-mapped peers', () => {
    assert.equal(resolve(request('2001:db8::1', { 'x-forwarded-for': '2001:db9::42' })), '2001:db9::42');
    assert.equal(resolve(request('::ffff:10.0.0.1', { 'x-forwarded-for': '::ffff:203.0.113.8' })), '203.0.113.8');
    assert.equal(resolve(request('10.0.0.1', { 'x-forwarded-for': '[2001:db9::43]:5555' })), '2001:db9::43');
  });

  it('accepts hops with a port (some proxies add one)', () => {
    assert.equal(resolve(request('10.0.0.1', { 'x-forwarded-for': '203.0.113.9:41234' })), '203.0.113.9');
  });

  it('skips malformed hops and falls back to X-Real-IP, then to the peer', () => {
    assert.equal(resolve(request('10.0.0.1', { 'x-forwarded-for': 'garbage, 203.0.113.10, ,unknown' })), '203.0.113.10');
    assert.equal(resolve(request('10.0.0.1', { 'x-forwarded-for': 'garbage', 'x-real-ip': '203.0.113.11' })), '203.0.113.11');
    assert.equal(resolve(request('10.0.0.1', { 'x-forwarded-for': 'garbage' })), '10.0.0.1');
    assert.equal(resolve(request('10.0.0.1', {})), '10.0.0.1');
    assert.equal(resolve(request('10.0.0.1', { 'x-real-ip': 'not an ip' })), '10.0.0.1');
  });

  it('when every hop is a trusted proxy, the left-most hop is the client', () => {
    assert.equal(resolve(request('10.0.0.1', { 'x-forwarded-for': '10.0.0.5, 10.0.0.6' })), '10.0.0.5');
  });

  it('a missing peer address resolves to an empty string, not to a header value', () => {
    assert.equal(resolve(request(undefined, { 'x-forwarded-for': '203.0.113.12' })), '');
  });
});

describe('parseHop', () => {
  it('accepts addresses with or without a port and rejects the rest', () => {
    assert.equal(parseHop(' 203.0.113.1 '), '203.0.113.1');
    assert.equal(parseHop('203.0.113.1:8080'), '203.0.113.1');
    assert.equal(parseHop('[2001:db8::1]:443'), '2001:db8::1');
    assert.equal(parseHop('[2001:db8::1]'), '2001:db8::1');
    assert.equal(parseHop('2001:db8::1'), '2001:db8::1');
    assert.equal(parseHop('::ffff:203.0.113.2'), '203.0.113.2');
    assert.equal(parseHop('unknown'), null);
    assert.equal(parseHop('203.0.113.1:'), null);
    assert.equal(parseHop('999.1.1.1'), null);
    assert.equal(parseHop(''), null);
  });
});
