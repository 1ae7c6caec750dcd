/**
 * `npm run check:model -- [--runs N] [--seed S] [--path P] [--shape sqlite|pg-redis] [--minutes M]
 * [--max-steps K] [--max-shrinks X]`: the model-based delivery checker (test/model/checker) against real
 * servers, for longer than CI's budget. Without --shape both shapes run, one after the other. A failure
 * prints its seed, path, error and shrunk schedule, and exits 1.
 */
import { parseArgs } from 'node:util';
import { checkModel } from './checker/check.js';
import type { Shape } from './checker/schedule.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    seed: { type: 'string' },
    path: { type: 'string' },
    shape: { type: 'string' },
    minutes: { type: 'string' },
    'max-steps': { type: 'string', default: '16' },
    'max-shrinks': { type: 'string', default: '200' },
    quiet: { type: 'boolean', default: false },
  },
});
const shapes: Shape[] = values.shape === undefined ? ['sqlite', 'pg-redis'] : [values.shape as Shape];
if (!shapes.every((s) => s === 'sqlite' || s === 'pg-redis')) throw new Error(`--shape must be sqlite or pg-redis, not ${values.shape}`);
let failed = false;
for (const shape of shapes) {
  const r = await checkModel({
    shape,
    runs: values.minutes ? 1_000_000 : Number(values.runs),
    maxSteps: Number(values['max-steps']),
    maxShrinks: Number(values['max-shrinks']),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values.path ? { path: values.path } : {}),
    ...(values.minutes ? { minutes: Number(values.minutes) / shapes.length } : {}),
    ...(values.quiet ? {} : { log: (l: string) => process.stdout.write(`${l}\n`) }),
  });
  process.stdout.write(`${r.report}\n`);
  failed ||= r.failed;
}
process.exitCode = failed ? 1 : 0;
