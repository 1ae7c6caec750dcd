/**
 * Process sampling from `/proc/<pid>/stat` and `/proc/<pid>/status` (Linux), so a server's CPU time and
 * resident memory are read from outside, without the load generator's own cost.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let clockTicks: number | undefined;

/** Kernel clock ticks per second (`getconf CLK_TCK`, almost always 100). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** One reading of a process: CPU time (user + system) and memory, at `atMs` (Date.now()). */
export interface ProcSample {
  readonly atMs: number;
  readonly userMs: number;
  readonly systemMs: number;
  /** VmRSS in bytes. */
  readonly rssBytes: number;
  /** VmHWM (peak RSS) in bytes. */
  readonly peakRssBytes: number;
}

/**
 * Parse the text of `/proc/<pid>/stat`: utime and stime are fields 14 and 15, counted after the `comm`
 * field, which is parenthesised and may itself contain spaces and parentheses.
 */
export function parseStat(text: string, ticksPerSecond: number): { userMs: number; systemMs: number } {
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), so field n is rest[n - 3].
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc stat line: ${text.slice(0, 80)}`);
  const msPerTick = 1000 / ticksPerSecond;
  return { userMs: utime * msPerTick, systemMs: stime * msPerTick };
}

/** Read a `kB` field such as `VmRSS:   12345 kB` from the text of `/proc/<pid>/status`, in bytes. */
export function parseStatusKb(text: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  if (!match?.[1]) throw new Error(`no ${field} in /proc status`);
  return Number(match[1]) * 1024;
}

/** Sample process `pid` now. Throws if the process is gone. */
export function sampleProcess(pid: number): ProcSample {
  const stat = parseStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), clockTicksPerSecond());
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    atMs: Date.now(),
    ...stat,
    rssBytes: parseStatusKb(status, 'VmRSS'),
    peakRssBytes: parseStatusKb(status, 'VmHWM'),
  };
}

/** CPU milliseconds (user + system) spent between two samples of the same process. */
export function cpuMsBetween(a: ProcSample, b: ProcSample): number {
  return b.userMs + b.systemMs - (a.userMs + a.systemMs);
}

/** Sum of samples of several processes (e.g. two server processes on Redis), taken at the same moment. */
export function sampleProcesses(pids: readonly number[]): ProcSample {
  const samples = pids.map(sampleProcess);
  const sum = (key: 'userMs' | 'systemMs' | 'rssBytes' | 'peakRssBytes'): number =>
    samples.reduce((total, s) => total + s[key], 0);
  return {
    atMs: Date.now(),
    userMs: sum('userMs'),
    systemMs: sum('systemMs'),
    rssBytes: sum('rssBytes'),
    peakRssBytes: sum('peakRssBytes'),
  };
}

/**
 * Busy CPU milliseconds of the whole machine so far (all CPUs: user, nice, system, irq, softirq, steal from
 * the `cpu` line of /proc/stat). The delta over a phase minus the CPU of the processes of the benchmark is
 * what other processes took: a noisy neighbour shows up in the notes instead of silently in the figures.
 */
export function machineBusyMs(text: string = readFileSync('/proc/stat', 'utf8')): number {
  const fields = (/^cpu\s+(.+)$/m.exec(text)?.[1] ?? '').trim().split(/\s+/).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  return ((user + nice + system + irq + softirq + steal) * 1000) / clockTicksPerSecond();
}
