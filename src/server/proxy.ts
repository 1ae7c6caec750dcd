/**
 * The client's address behind proxies. `X-Forwarded-For` is honoured only when the connecting peer is a
 * trusted proxy; then the right-most hop that is not itself trusted is the client. A forged header sent
 * directly by a client is ignored.
 */
import { BlockList, isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export interface ProxyOptions {
  /** Honour proxy headers at all. */
  enabled: boolean;
  /** Addresses or CIDRs of trusted proxies; empty = loopback only. */
  trusted: readonly string[];
}

/** Strip the IPv4-mapped IPv6 prefix: `::ffff:127.0.0.1` -> `127.0.0.1`. */
export function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

/** Build a matcher for trusted proxies. Throws TypeError naming a malformed entry. */
export function trustedProxyMatcher(trusted: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  const entries = trusted.length > 0 ? trusted : ['127.0.0.0/8', '::1'];
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/', 2);
    const family = isIP(address);
    if (family === 0) throw new TypeError(`trusted proxy "${entry}" is not an IP address or CIDR`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (ip) => {
    const clean = normaliseIp(ip);
    const family = isIP(clean);
    return family !== 0 && list.check(clean, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/** A function giving the client address of a request, per `options`. */
export function clientAddressResolver(options: ProxyOptions): (req: IncomingMessage) => string {
  const isTrusted = trustedProxyMatcher(options.trusted);
  return (req) => {
    const peer = normaliseIp(req.socket.remoteAddress ?? '');
    if (!options.enabled || !isTrusted(peer)) return peer;
    const forwarded = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? ''))
      .split(',')
      .map((h) => normaliseIp(h.trim()))
      .filter((h) => isIP(h) !== 0);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      if (!isTrusted(hop)) return hop;
    }
    const realIp = req.headers['x-real-ip'];
    if (typeof realIp === 'string' && isIP(realIp.trim()) !== 0) return normaliseIp(realIp.trim());
    return hops[0] ?? peer;
  };
}
