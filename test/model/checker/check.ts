/**
 * The model-based check as a fast-check property: runs (settings + schedule) drawn from a seed, each run
 * against fresh servers (runner.ts); a failing run is shrunk (fewer, smaller steps) and reported with the
 * seed, the path that replays it, and the shrunk schedule as readable lines plus the JSON a regression test
 * replays.
 */
import fc from 'fast-check';
import { executeRun, CheckFailure } from './runner.js';
import { formatRun, runArb, type Run, type Shape } from './schedule.js';

export interface CheckOptions {
  shape: Shape;
  /** Runs to draw (with `minutes`, the most). */
  runs: number;
  seed?: number;
  /** A counterexample path printed by an earlier failure: replays that run directly. */
  path?: string;
  /** Longest schedule. */
  maxSteps: number;
  /** Stop drawing new runs after this long (a run in progress finishes). */
  minutes?: number;
  /** Stop shrinking after this many shrink steps (each one is a run on fresh servers). */
  maxShrinks?: number;
  log?: (line: string) => void;
}

export interface CheckResult {
  failed: boolean;
  seed: number;
  runs: number;
  steps: number;
  ms: number;
  /** Seed, path, the error and the shrunk schedule, when it failed. */
  report: string;
  counterexample?: Run;
}

/** Run the check; never throws for a failing run (see `failed`). */
export async function checkModel(o: CheckOptions): Promise<CheckResult> {
  const started = Date.now();
  const seed = o.seed ?? Date.now() ^ (Math.random() * 0x100000000);
  let runs = 0;
  let steps = 0;
  let shrinking = false;
  let shrinks = 0;
  const property = fc.asyncProperty(runArb(o.shape, o.maxSteps), async (run) => {
    if (shrinking && o.maxShrinks !== undefined && shrinks++ >= o.maxShrinks) fc.pre(false);
    runs++;
    steps += run.steps.length;
    o.log?.(`run ${runs}${shrinking ? ' (shrinking)' : ''}: ${run.steps.length} steps, users ${run.users}, ${JSON.stringify(run.settings)}`);
    try {
      await executeRun(run);
    } catch (err) {
      shrinking = true;
      o.log?.(`  failed: ${(err as Error).message.slice(0, 300)}`);
      throw err;
    }
  });
  const details = await fc.check(property, {
    numRuns: o.runs,
    seed,
    ...(o.path ? { path: o.path } : {}),
    ...(o.minutes ? { interruptAfterTimeLimit: o.minutes * 60_000, markInterruptAsFailure: false } : {}),
    maxSkipsPerRun: 1000,
  });
  const ms = Date.now() - started;
  if (!details.failed) return { failed: false, seed, runs, steps, ms, report: `${o.shape}: ${runs} runs, ${steps} steps in ${(ms / 1000).toFixed(0)} s, seed ${seed}: no failure` };
  const run = details.counterexample?.[0] as Run;
  const err = details.errorInstance;
  const report = [
    `${o.shape}: FAILED after ${details.numRuns} runs (${details.numShrinks} shrinks), seed ${details.seed}, path ${details.counterexamplePath}`,
    `replay: npm run check:model -- --shape ${o.shape} --seed=${details.seed} --path ${details.counterexamplePath} --max-steps ${o.maxSteps}`,
    `error: ${err instanceof CheckFailure ? err.message : String(err)}`,
    `shrunk schedule:`,
    formatRun(run),
  ].join('\n');
  return { failed: true, seed: details.seed, runs, steps, ms, report, counterexample: run };
}
