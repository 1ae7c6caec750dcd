/**
 * What the hand-written reference servers share: their command line and their token check, which is the
 * one Tidings makes (jose's `jwtVerify`, HS256, `exp` required, the key imported once), with the secret
 * from BENCH_JWT_SECRET.
 */
import { webcrypto } from 'node:crypto';
import { jwtVerify } from 'jose';

/** `--port <n>` of a reference server's command line. */
export function portArgument(argv: readonly string[], script: string): number {
  const index = argv.indexOf('--port');
  const port = Number(index >= 0 ? argv[index + 1] : NaN);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`usage: ${script} --port <port>`);
  return port;
}

/** A checker of HS256 tokens signed with BENCH_JWT_SECRET: true for a valid token with a `sub`. */
export function tokenChecker(): (token: string) => Promise<boolean> {
  const secret = new TextEncoder().encode(process.env.BENCH_JWT_SECRET ?? '');
  const key = webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, await key, { algorithms: ['HS256'], requiredClaims: ['exp'], clockTolerance: 5 });
      return typeof payload.sub === 'string' && payload.sub.length > 0;
    } catch {
      return false;
    }
  };
}
