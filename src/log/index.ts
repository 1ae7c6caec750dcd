/**
 * Logging: one pino root per process (built in main.ts), child loggers per module and per connection.
 * Tokens, API keys, cookies and authorization headers are redacted wherever they appear in a log object.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import { prettyStream } from './pretty.js';

export type { Logger } from 'pino';
export { formatPrettyLine, prettyStream } from './pretty.js';

/** Paths redacted in every log line. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'jwtSecret',
  '*.jwtSecret',
  'password',
  '*.password',
  'headers.authorization',
  'headers.cookie',
  '*.headers.authorization',
  '*.headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
];

export interface LoggerConfig {
  /** pino level: fatal, error, warn, info, debug, trace, silent. Default `info`. */
  level?: string;
  /**
   * Pretty, human-readable lines (`HH:MM:SS LEVEL msg key=value`, for a TTY; colored when the destination
   * is a TTY). Default false: one JSON object per line. Secrets are redacted either way.
   */
  pretty?: boolean;
  /** Where to write; default stdout. */
  destination?: NodeJS.WritableStream;
}

/** Build the root logger. */
export function createLogger(config: LoggerConfig = {}): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
  };
  if (config.pretty) {
    const destination = config.destination ?? process.stdout;
    return pino(options, prettyStream(destination, { color: (destination as { isTTY?: boolean }).isTTY === true }));
  }
  if (config.destination) return pino(options, config.destination);
  return pino(options);
}

/** A logger that writes nothing (default for library use and unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Query parameters that carry credentials (`/inform/?token=…`, `?password=` in database URLs, …). */
const SECRET_PARAMS = /^(token|access_token|id_token|api_?key|key|secret|password|passwd|auth|sig|signature)$/i;

/**
 * Remove secrets from a URL for logging: `redis://:secret@host` -> `redis://:***@host`, and the values of
 * credential-like query parameters (`?token=…` -> `?token=***`). Returns the input unchanged if it is not
 * a URL (relative request URLs such as `/inform/?token=…` are handled too).
 */
export function redactUrl(url: string): string {
  try {
    const relative = url.startsWith('/');
    const u = relative ? new URL(url, 'http://relative.invalid') : new URL(url);
    if (u.password) u.password = '***';
    for (const name of [...u.searchParams.keys()]) if (SECRET_PARAMS.test(name)) u.searchParams.set(name, '***');
    return relative ? u.pathname + u.search + u.hash : u.toString();
  } catch {
    return url;
  }
}
