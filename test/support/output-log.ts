/** A child process's output as lines and parsed pino entries, which tests can await. */
import { within } from './time.js';

/** A parsed pino line. */
export interface LogEntry {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** Collects a child's output as lines and parsed log entries, and lets tests await a given entry or text. */
export class OutputLog {
  readonly lines: string[] = [];
  readonly entries: LogEntry[] = [];
  #partial = '';
  #waiters = new Set<() => void>();

  feed(chunk: Buffer | string): void {
    const parts = (this.#partial + String(chunk)).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      try {
        const entry: unknown = JSON.parse(line);
        if (entry && typeof entry === 'object') this.entries.push(entry as LogEntry);
      } catch {
        // not a log line (e.g. a message on stderr); kept in `lines`
      }
    }
    for (const wake of [...this.#waiters]) wake();
  }

  /** Everything written so far. */
  get text(): string {
    return this.lines.join('\n') + (this.#partial ? `\n${this.#partial}` : '');
  }

  /** The first entry (already written or to come) matching `match`. */
  waitFor(match: (e: LogEntry) => boolean, timeoutMs: number, what = 'log line'): Promise<LogEntry> {
    return this.waitForCount(match, 1, timeoutMs, what);
  }

  /** Wait until `count` entries match `match`; resolves with the last of them. */
  waitForCount(match: (e: LogEntry) => boolean, count: number, timeoutMs: number, what = 'log line'): Promise<LogEntry> {
    return this.#until(() => this.entries.filter(match)[count - 1], timeoutMs, what);
  }

  /** The first match of `pattern` in the text written so far or to come (a log that is not JSON). */
  waitForText(pattern: RegExp, timeoutMs: number, what = 'output'): Promise<RegExpExecArray> {
    return this.#until(() => pattern.exec(this.text) ?? undefined, timeoutMs, what);
  }

  #until<T>(found: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    let check = (): void => undefined;
    return within(
      new Promise<T>((resolve) => {
        check = () => {
          const value = found();
          if (value === undefined) return;
          this.#waiters.delete(check);
          resolve(value);
        };
        this.#waiters.add(check);
        check();
      }),
      timeoutMs,
      `${what} (output so far:\n${this.text.slice(-2000)})`,
    ).finally(() => this.#waiters.delete(check));
  }
}
