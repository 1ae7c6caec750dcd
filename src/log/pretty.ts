/**
 * A dependency-free pretty printer for pino's JSON lines (for a terminal): `HH:MM:SS LEVEL msg key=value`,
 * with an error's stack on the following lines. Used by `createLogger({ pretty: true })`; production logs
 * stay one JSON object per line.
 */
import { Writable } from 'node:stream';

const LEVELS: Record<number, [name: string, color: number]> = {
  10: ['TRACE', 90],
  20: ['DEBUG', 36],
  30: ['INFO', 32],
  40: ['WARN', 33],
  50: ['ERROR', 31],
  60: ['FATAL', 35],
};

/** Fields that every line carries and that the pretty form leaves out or shows elsewhere. */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'err']);

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}

function formatError(err: unknown): string {
  if (!err || typeof err !== 'object') return ` err=${formatValue(err)}`;
  const e = err as { message?: unknown; code?: unknown; stack?: unknown };
  const head = ` err=${formatValue(e.message ?? '')}${e.code !== undefined ? ` errCode=${formatValue(e.code)}` : ''}`;
  if (typeof e.stack !== 'string') return head;
  const frames = e.stack.split('\n').slice(1).map((l) => `\n    ${l.trim()}`);
  return head + frames.join('');
}

/**
 * One pino JSON line as `HH:MM:SS LEVEL msg key=value ...` (local time). A line that is not a JSON object
 * is returned unchanged. `color` wraps the level in ANSI colors.
 */
export function formatPrettyLine(line: string, color = false): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const t = new Date(typeof entry.time === 'number' ? entry.time : Date.now());
  const [name, code] = LEVELS[Number(entry.level)] ?? [String(entry.level ?? 'LOG').toUpperCase(), 0];
  const level = color && code ? `\u001b[${code}m${name.padEnd(5)}\u001b[39m` : name.padEnd(5);
  let out = `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())} ${level} ${String(entry.msg ?? '')}`;
  for (const [key, value] of Object.entries(entry)) {
    if (!HIDDEN.has(key) && value !== undefined) out += ` ${key}=${formatValue(value)}`;
  }
  if ('err' in entry) out += formatError(entry.err);
  return out;
}

/**
 * A Writable that takes pino's output (JSON lines, possibly split or batched across writes) and writes
 * pretty lines to `destination`, synchronously in the caller's tick when the destination is synchronous.
 */
export function prettyStream(destination: NodeJS.WritableStream, options: { color?: boolean } = {}): Writable {
  let partial = '';
  const color = options.color ?? false;
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, callback) {
      const lines = (partial + String(chunk)).split('\n');
      partial = lines.pop() ?? '';
      let out = '';
      for (const line of lines) if (line.length > 0) out += `${formatPrettyLine(line, color)}\n`;
      if (out) destination.write(out);
      callback();
    },
    final(callback) {
      if (partial) destination.write(`${formatPrettyLine(partial, color)}\n`);
      partial = '';
      callback();
    },
  });
}
