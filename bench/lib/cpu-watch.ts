/**
 * Where the CPU went during a measured phase: the server processes, the load generator, the harness itself,
 * and everything else on the machine. "Everything else" makes a noisy neighbour visible in the notes
 * instead of silently in the figures.
 */
import { cpuMsBetween, machineBusyMs, sampleProcesses, type ProcSample } from './proc.js';

/** CPU milliseconds spent during a phase (100 % of one core = the phase's elapsed milliseconds). */
export interface CpuSpent {
  readonly elapsedMs: number;
  readonly serverMs: number;
  readonly generatorMs: number;
  readonly harnessMs: number;
  /** All other processes of the machine. */
  readonly otherMs: number;
  /** The server processes before and after the phase (memory figures). */
  readonly serverBefore: ProcSample;
  readonly serverAfter: ProcSample;
}

/** Start watching; call the returned function at the end of the phase. */
export function watchCpu(serverPids: readonly number[], generatorPids: readonly number[]): () => CpuSpent {
  const serverBefore = sampleProcesses(serverPids);
  const generatorBefore = sampleProcesses(generatorPids);
  const harnessBefore = process.cpuUsage();
  const machineBefore = machineBusyMs();
  return () => {
    const serverAfter = sampleProcesses(serverPids);
    const generatorMs = cpuMsBetween(generatorBefore, sampleProcesses(generatorPids));
    const harness = process.cpuUsage(harnessBefore);
    const harnessMs = (harness.user + harness.system) / 1000;
    const serverMs = cpuMsBetween(serverBefore, serverAfter);
    const otherMs = Math.max(0, machineBusyMs() - machineBefore - serverMs - generatorMs - harnessMs);
    return { elapsedMs: serverAfter.atMs - serverBefore.atMs, serverMs, generatorMs, harnessMs, otherMs, serverBefore, serverAfter };
  };
}

/** `CPU (100 % = one core): server 81 %, generator 68 %, harness 10 %, other processes 36 %`. */
export function cpuNote(spent: CpuSpent): string {
  const pct = (ms: number): string => `${Math.round((ms * 100) / Math.max(1, spent.elapsedMs))} %`;
  return `CPU (100 % = one core): server ${pct(spent.serverMs)}, generator ${pct(spent.generatorMs)}, harness ${pct(spent.harnessMs)}, other processes ${pct(spent.otherMs)}`;
}
