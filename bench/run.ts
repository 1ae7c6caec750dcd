/**
 * `npm run bench [-- --smoke] [--scenario name] [--target ws|tidings] [--out dir]`: run the scenarios,
 * print the markdown table, write `bench/results/`. Exits 1 when a scenario failed to deliver, 2 on bad
 * arguments.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs, selected, USAGE, type BenchArgs } from './lib/args.js';
import { readBenchEnv } from './lib/env.js';
import { describeMachine } from './lib/machine.js';
import { writeOutputs } from './report/write.js';
import type { RunRecord } from './report/types.js';
import { runAll } from './runner.js';
import { SCENARIOS } from './scenarios/index.js';
import { NATIVE_REFERENCE, REFERENCE, TARGETS } from './targets/index.js';

const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));
/** Scenarios run at once in smoke runs (they check delivery, not speed). */
const SMOKE_PARALLEL = 3;

async function main(args: BenchArgs): Promise<number> {
  const scenarios = SCENARIOS.filter((s) => selected(s.name, args.scenarios));
  const targets = TARGETS.filter((t) => selected(t.name, args.targets));
  if (scenarios.length === 0 || targets.length === 0) {
    process.stderr.write(`nothing selected\nscenarios: ${SCENARIOS.map((s) => s.name).join(', ')}\ntargets: ${TARGETS.map((t) => t.name).join(', ')}\n`);
    return 2;
  }
  const startedAt = new Date().toISOString();
  const t0 = Date.now();
  const log = (line: string): void => void process.stderr.write(`[bench +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}\n`);
  const ctx = { smoke: args.smoke, env: readBenchEnv(), log };
  const outcomes = await runAll(scenarios, targets, ctx, REFERENCE, args.parallel ?? (args.smoke ? SMOKE_PARALLEL : 1));
  const record: RunRecord = {
    version: 1,
    startedAt,
    finishedAt: new Date().toISOString(),
    smoke: args.smoke,
    partial: scenarios.length < SCENARIOS.length || targets.length < TARGETS.length,
    command: ['npm run bench --', ...process.argv.slice(2)].join(' '),
    machine: describeMachine(),
    reference: REFERENCE,
    nativeReference: NATIVE_REFERENCE,
    outcomes,
  };
  const { files, markdown } = writeOutputs(record, args.out ?? RESULTS);
  process.stdout.write(`${markdown}\nwritten: ${Object.values(files).join(', ')}\n`);
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length > 0) process.stderr.write(`[bench] FAILED: ${failed.map((o) => `${o.scenario}/${o.target}`).join(', ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

let args: BenchArgs;
try {
  args = parseArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
main(args).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`[bench] crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
