/** A description of the machine a run happened on, read from /proc and node:os. */
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

/** What the results are valid for. */
export interface MachineInfo {
  readonly cpuModel: string;
  /** Logical processors listed in /proc/cpuinfo. */
  readonly cpus: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  /** `ulimit -n` of the harness process as the kernel reports it (soft limit). */
  readonly openFilesLimit: number | null;
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** Parse `/proc/cpuinfo` text into the model name and processor count. */
export function parseCpuinfo(text: string): { model: string; count: number } {
  const processors = text.match(/^processor\s*:/gm)?.length ?? 0;
  const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim() ?? 'unknown';
  return { model, count: processors };
}

function openFilesLimit(): number | null {
  const match = /^Max open files\s+(\d+)/m.exec(readOr('/proc/self/limits', ''));
  return match?.[1] ? Number(match[1]) : null;
}

/** Describe this machine. */
export function describeMachine(): MachineInfo {
  const cpuinfo = parseCpuinfo(readOr('/proc/cpuinfo', ''));
  return {
    cpuModel: cpuinfo.model !== 'unknown' ? cpuinfo.model : (cpus()[0]?.model ?? 'unknown'),
    cpus: cpuinfo.count || cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    openFilesLimit: openFilesLimit(),
  };
}
