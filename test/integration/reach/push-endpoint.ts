/**
 * A local push service for tests: an HTTPS server (self-signed certificate made with openssl) that checks
 * the VAPID `Authorization: vapid t=<JWT>, k=<key>` header (ES256 signature, aud, sub, exp) and decrypts the
 * RFC 8291 `aes128gcm` body with the subscription keys the test generated, as a browser would.
 */
import { execFileSync } from 'node:child_process';
import { createECDH, createDecipheriv, createHmac, randomBytes, type ECDH } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, jwtVerify } from 'jose';

export interface Received {
  path: string;
  payload: string;
  vapid: { aud: string; sub: string; exp: number; key: string };
  ttl: string | undefined;
}

/** A browser's push subscription keys. */
export class BrowserKeys {
  readonly ecdh: ECDH = createECDH('prime256v1');
  readonly auth = randomBytes(16);
  constructor() {
    this.ecdh.generateKeys();
  }
  toJSON(endpoint: string) {
    return { endpoint, keys: { p256dh: this.ecdh.getPublicKey().toString('base64url'), auth: this.auth.toString('base64url') } };
  }
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** RFC 8291 / RFC 8188 decryption of a single-record aes128gcm body. */
export function decrypt(body: Buffer, keys: BrowserKeys): string {
  const salt = body.subarray(0, 16);
  const idlen = body[20]!;
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const ecdhSecret = keys.ecdh.computeSecret(asPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), keys.ecdh.getPublicKey(), asPublic, Buffer.from([1])]);
  const ikm = hmac(hmac(keys.auth, ecdhSecret), keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end).toString('utf8');
}

async function checkVapid(header: string | undefined, origin: string): Promise<Received['vapid']> {
  const m = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!m) throw new Error(`not a VAPID Authorization header: ${header}`);
  const raw = Buffer.from(m[2]!, 'base64url');
  const key = await importJWK({ kty: 'EC', crv: 'P-256', x: raw.subarray(1, 33).toString('base64url'), y: raw.subarray(33, 65).toString('base64url') }, 'ES256');
  const { payload } = await jwtVerify(m[1]!, key, { audience: origin, algorithms: ['ES256'] });
  if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw new Error('VAPID JWT without sub or exp');
  if (payload.exp > Date.now() / 1000 + 86_400) throw new Error('VAPID JWT expires more than 24 h ahead');
  return { aud: String(payload.aud), sub: payload.sub, exp: payload.exp, key: m[2]! };
}

export class PushEndpoint {
  readonly received: Received[] = [];
  readonly errors: string[] = [];
  /** Status answered per path (default 201). */
  readonly statusFor = new Map<string, number>();
  private constructor(
    readonly server: Server,
    readonly origin: string,
    readonly cert: string,
    private readonly keys: Map<string, BrowserKeys>,
  ) {}

  static async start(): Promise<PushEndpoint> {
    const dir = mkdtempSync(join(tmpdir(), 'tidings-push-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      const server = createServer({ cert, key: readFileSync(join(dir, 'key.pem')) });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const endpoint = new PushEndpoint(server, origin, cert, new Map());
      server.on('request', (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => void endpoint.handle(req.url ?? '', req.headers, Buffer.concat(chunks)).then((status) => res.writeHead(status).end()));
      });
      return endpoint;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** A subscription whose endpoint is `path` on this server, with fresh browser keys. */
  subscribe(path: string) {
    const keys = new BrowserKeys();
    this.keys.set(path, keys);
    return keys.toJSON(this.origin + path);
  }

  private async handle(path: string, headers: Record<string, string | string[] | undefined>, body: Buffer): Promise<number> {
    try {
      const vapid = await checkVapid(headers.authorization as string | undefined, this.origin);
      if (headers['content-encoding'] !== 'aes128gcm') throw new Error(`content-encoding ${String(headers['content-encoding'])}`);
      const keys = this.keys.get(path);
      if (!keys) return 404;
      this.received.push({ path, payload: decrypt(body, keys), vapid, ttl: headers.ttl as string | undefined });
      return this.statusFor.get(path) ?? 201;
    } catch (err) {
      this.errors.push((err as Error).message);
      return 400;
    }
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
