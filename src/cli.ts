#!/usr/bin/env node
/**
 * The `tidings` command:
 *   tidings serve [--host 127.0.0.1] [--port 8006] [--proxy-headers] [--redis-url redis://…] [--workers N] …
 *   tidings send --to alice[,bob] --kind reply [--data '{"article":"…"}'] [--dedupe-key K] [--server URL]
 *   tidings broadcast --kind announcement [--data '{…}'] [--server URL]
 *   tidings token alice [--ttl 1h]
 *   tidings config --print [flags]
 *   tidings vapid
 * `send` and `broadcast` call the HTTP API of a running server (default http://127.0.0.1:8006) with the
 * configured API key (TIDINGS_API_KEY), so they work whatever layer and database the server uses.
 */
import { parseArgs } from 'node:util';
import { configOrExit } from './exit.js';
import { signToken } from './auth/index.js';

const USAGE = `usage:
  tidings serve [--host H] [--port P] [--proxy-headers] [--redis-url URL] [--workers N] [--database-url URL] ...
  tidings send --to USER[,USER] --kind KIND [--data JSON] [--dedupe-key KEY] [--server URL]
  tidings broadcast --kind KIND [--data JSON] [--server URL]
  tidings token USER [--ttl 1h]
  tidings config --print [flags]
  tidings vapid                  print a fresh VAPID key pair for Web Push
Every setting is also an environment variable TIDINGS_*; see the README's configuration table.`;

function die(message: string): never {
  process.stderr.write(`tidings: ${message}\n`);
  process.exit(2);
}

/** `90`, `90s`, `15m`, `1h`, `7d` -> seconds. */
export function parseTtl(value: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!m) die(`--ttl "${value}" is not a duration like 90s, 15m, 1h or 7d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

function parseData(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  die('--data must be a JSON object, e.g. --data \'{"article":"hello"}\'');
}

async function post(server: string, path: string, apiKey: string | undefined, body: unknown): Promise<void> {
  let res: Response;
  try {
    res = await fetch(new URL(path, server), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey ?? ''}` },
      body: JSON.stringify(body),
    });
  } catch (err) {
    die(`cannot reach ${server}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) die(`${res.status} ${text}`);
  process.stdout.write(`${text}\n`);
}

async function publish(command: 'send' | 'broadcast', args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { to: { type: 'string' }, kind: { type: 'string' }, data: { type: 'string' }, 'dedupe-key': { type: 'string' }, server: { type: 'string' } },
  });
  if (!values.kind) die(`${command} needs --kind`);
  const config = configOrExit([]);
  const server = values.server ?? process.env.TIDINGS_SERVER_URL ?? `http://${config.host}:${config.port}`;
  const data = parseData(values.data);
  if (command === 'broadcast') return post(server, '/v1/broadcasts', config.apiKey, { kind: values.kind, data });
  if (!values.to) die('send needs --to USER (comma-separated for several)');
  const to = values.to.includes(',') ? values.to.split(',').map((s) => s.trim()) : values.to;
  return post(server, '/v1/notifications', config.apiKey, { to, kind: values.kind, data, ...(values['dedupe-key'] ? { dedupeKey: values['dedupe-key'] } : {}) });
}

async function token(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { ttl: { type: 'string' } } });
  const user = positionals[0];
  if (!user) die('token needs a user id: tidings token alice [--ttl 1h]');
  const config = configOrExit([]);
  if (!config.jwtSecret) die('token needs an HS256 secret (TIDINGS_JWT_SECRET)');
  const ttlSeconds = values.ttl ? parseTtl(values.ttl) : 3600;
  process.stdout.write(`${await signToken(config.jwtSecret, user, { ttlSeconds, audience: config.jwtAudience, issuer: config.jwtIssuer })}\n`);
}

/** `tidings <command> --help`: the command's usage; for serve and config, every flag with its variable and default. */
async function help(command: string): Promise<void> {
  const lines = USAGE.split('\n').filter((l) => l.includes(`tidings ${command} `));
  if (command === 'serve' || command === 'config') {
    const { SETTINGS, envName, flagName } = await import('./config/index.js');
    for (const [name, s] of Object.entries(SETTINGS) as Array<[keyof typeof SETTINGS, { doc: string; default?: unknown }]>) {
      const def = s.default === undefined ? '' : ` (default ${JSON.stringify(s.default)})`;
      lines.push(`  --${flagName(name)}  ${envName(name)}${def}\n      ${s.doc}`);
    }
  }
  if (command === 'send' || command === 'broadcast') {
    lines.push('  --server URL  the server to call; default TIDINGS_SERVER_URL, else http://<TIDINGS_HOST>:<TIDINGS_PORT>');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== undefined && (rest.includes('--help') || rest.includes('-h'))) return help(command);
  try {
    switch (command) {
      case 'serve':
        return await (await import('./main.js')).serve(rest);
      case 'send':
      case 'broadcast':
        return await publish(command, rest);
      case 'token':
        return await token(rest);
      case 'config':
        return (await import('./main.js')).printConfig(rest);
      case 'vapid': {
        const keys = (await import('./reach/index.js')).generateVapidKeys();
        process.stdout.write(`TIDINGS_VAPID_PUBLIC_KEY=${keys.publicKey}\nTIDINGS_VAPID_PRIVATE_KEY=${keys.privateKey}\n`);
        return;
      }
      case undefined:
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return;
      default:
        die(`unknown command "${command}"\n${USAGE}`);
    }
  } catch (err) {
    die(err instanceof Error ? err.message : String(err));
  }
}

void main(process.argv.slice(2));
