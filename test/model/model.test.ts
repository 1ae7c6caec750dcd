/**
 * The model-based delivery checker (test/model/checker) in CI's budget: a bounded number of random
 * schedules against real servers in both shapes (one process on SQLite; two processes on PostgreSQL and a
 * private Redis), about 2 minutes in all. A failure prints its seed, path and shrunk schedule; replay it
 * with `npm run check:model -- --shape <shape> --seed <seed> --path <path>`. TIDINGS_MODEL_SEED fixes the seed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redisSkipReason } from '../support/services/redis.js';
import { postgresSkipReason } from '../support/services/postgres.js';
import { checkModel } from './checker/check.js';
import type { Shape } from './checker/schedule.js';

const seed = process.env.TIDINGS_MODEL_SEED ? Number(process.env.TIDINGS_MODEL_SEED) : undefined;
const BUDGET: Record<Shape, { runs: number; maxSteps: number; minutes: number }> = {
  sqlite: { runs: 80, maxSteps: 12, minutes: 1 },
  'pg-redis': { runs: 30, maxSteps: 10, minutes: 1 },
};
const skip = { sqlite: undefined, 'pg-redis': (await redisSkipReason()) ?? (await postgresSkipReason()) };

describe('model-based delivery checker (CI budget)', { timeout: 280_000 }, () => {
  for (const shape of ['sqlite', 'pg-redis'] as const) {
    it(`${shape}: random schedules keep every delivery invariant`, { skip: skip[shape] }, async (t) => {
      const r = await checkModel({ shape, ...BUDGET[shape], maxShrinks: 30, ...(seed === undefined ? {} : { seed }) });
      t.diagnostic(`figure: model ${shape}: ${r.runs} runs, ${r.steps} steps in ${(r.ms / 1000).toFixed(1)} s (seed ${r.seed})`);
      assert.equal(r.failed, false, r.report);
    });
  }
});
