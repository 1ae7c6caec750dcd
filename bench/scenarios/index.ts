/** Every scenario, in run order. */
import { fanoutScenario } from './fanout.js';
import type { Scenario } from './types.js';

export type { Measurement, Metric, Outcome, Scenario, ScenarioContext } from './types.js';

/** All scenarios. */
export const SCENARIOS: readonly Scenario[] = [fanoutScenario];
