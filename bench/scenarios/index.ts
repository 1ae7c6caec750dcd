/** Every scenario, in run order. */
import { connectScenario } from './connect.js';
import { fanoutScenario } from './fanout.js';
import { fixedRateScenario } from './fixed-rate.js';
import { idleScenario } from './idle.js';
import { notifyScenario } from './notify.js';
import { redisScaleScenario } from './redis-scale.js';
import { slowConsumerScenario } from './slow-consumer.js';
import type { Scenario } from './types.js';
import { wireBytesScenario } from './wire-bytes.js';

export type { Measurement, Metric, Outcome, Scenario, ScenarioContext } from './types.js';

/** All scenarios. */
export const SCENARIOS: readonly Scenario[] = [
  fanoutScenario,
  fixedRateScenario,
  idleScenario,
  connectScenario,
  notifyScenario({ via: 'sdk', database: 'sqlite', goal: 20_000 }),
  notifyScenario({ via: 'http', database: 'sqlite', goal: 8000 }),
  notifyScenario({ via: 'sdk', database: 'postgres', goal: 5000 }),
  notifyScenario({ via: 'http', database: 'postgres' }),
  redisScaleScenario,
  slowConsumerScenario,
  wireBytesScenario,
];
