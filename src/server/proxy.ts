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
    if (prefix === undefined) {
      list.addAddress(address, type);
      continue;
    }
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    if (!(bits <= (family === 4 ? 32 : 128))) throw new TypeError(`trusted proxy "${entry}" has an invalid prefix length`);
    list.addSubnet(address, bits, type);
  }
  return (ip) => {
    const clean = normaliseIp(ip);
    const family = isIP(clean);
    return family !== 0 && list.check(clean, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * One X-Forwarded-For hop as an address, or null when malformed. Some proxies add a port:
 * `203.0.113.9:41234` and `[2001:db8::1]:443` are accepted; a bare IPv6 address is left as is.
 */
export function parseHop(hop: string): string | null {
  let h = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(h);
  if (bracketed) h = bracketed[1] as string;
  else if (/^[\d.]+:\d+$/.test(h)) h = h.slice(0, h.indexOf(':'));
  return isIP(h) === 0 ? null : normaliseIp(h);
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
      .map(parseHop)
      .filter((h): h is string => h !== null);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      if (!isTrusted(hop)) return hop;
    }
    const realIp = req.headers['x-real-ip'];
    const real = typeof realIp === 'string' ? parseHop(realIp) : null;
    if (real) return real;
    return hops[0] ?? peer;
  };
}
