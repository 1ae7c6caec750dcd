/**
 * Logging: one pino root per process (built in main.ts), child loggers per module and per connection.
 * Tokens, API keys, cookies and authorization headers are redacted wherever they appear in a log object.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

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
  /** Pretty, human-readable lines (for a TTY). Default false: one JSON object per line. */
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
  if (config.destination) return pino(options, config.destination);
  if (config.pretty) return pino({ ...options, transport: { target: 'pino/file', options: { destination: 1 } } });
  return pino(options);
}

/** A logger that writes nothing (default for library use and unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/**
 * Remove a secret from a URL for logging: `redis://:secret@host` -> `redis://:***@host`.
 * Returns the input unchanged if it is not a URL.
 */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    if (u.username && u.password) return u.toString();
    return u.toString();
  } catch {
    return url;
  }
}
