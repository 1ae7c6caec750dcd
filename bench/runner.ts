/**
 * Runs scenarios against targets, one at a time, and turns each into an Outcome: measured, failed (with the
 * reason), unavailable (target or service missing) or not applicable (target lacks a capability).
 * Under `--smoke` with CI=true, a missing Tidings target or service is a failure, not "unavailable".
 */
import type { BenchEnv } from './lib/env.js';
import { serviceReachable } from './lib/net-util.js';
import { withTimeout } from './lib/time.js';
import type { Outcome, Scenario, ScenarioContext } from './scenarios/types.js';
import type { Target } from './targets/types.js';

/** Longest a single scenario may run on one target. */
export function scenarioBudgetMs(smoke: boolean): number {
  // Generous for smoke runs: next to a loaded test suite, starting processes alone can take seconds.
  return smoke ? 120_000 : 10 * 60_000;
}

/** Whether a missing target or service must fail the run rather than be reported unavailable. */
export function mustRun(target: Target, reference: string, smoke: boolean, env: BenchEnv): boolean {
  return target.name === reference || (smoke && env.ci && target.optional !== true);
}

async function missingService(scenario: Scenario, env: BenchEnv): Promise<string | null> {
  for (const service of scenario.services ?? []) {
    const url = service === 'redis' ? env.redisUrl : env.databaseUrl;
    if (!(await serviceReachable(url))) return `${service} not reachable at ${url.replace(/\/\/[^@]*@/, '//')}`;
  }
  return null;
}

function outcome(scenario: Scenario, target: Target, fields: Partial<Outcome> & Pick<Outcome, 'status'>): Outcome {
  return { scenario: scenario.name, title: scenario.title, target: target.name, metrics: [], notes: [], errors: [], ms: 0, ...fields };
}

/** Why this scenario cannot run on this target here, or null. */
async function blocker(scenario: Scenario, target: Target, ctx: ScenarioContext): Promise<string | null> {
  return target.unavailableReason() ?? (await missingService(scenario, ctx.env));
}

/** Run one scenario on one target; never throws. */
export async function runOne(scenario: Scenario, target: Target, ctx: ScenarioContext, reference: string): Promise<Outcome> {
  if (!scenario.requires.every((c) => target.capabilities.has(c))) return outcome(scenario, target, { status: 'not applicable' });
  const reason = await blocker(scenario, target, ctx);
  if (reason !== null) {
    const status = mustRun(target, reference, ctx.smoke, ctx.env) ? 'failed' : 'unavailable';
    return outcome(scenario, target, { status, errors: [reason] });
  }
  const started = Date.now();
  try {
    const budget = scenarioBudgetMs(ctx.smoke);
    const m = await withTimeout(scenario.run(ctx, target), budget, `scenario ${scenario.name} on ${target.name}`);
    const status = m.failures.length > 0 ? 'failed' : 'ok';
    return outcome(scenario, target, { status, metrics: m.metrics, notes: m.notes, errors: m.failures, ms: Date.now() - started });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return outcome(scenario, target, { status: 'failed', errors: [message], ms: Date.now() - started });
  }
}

/**
 * Run every scenario on every target (reference first), `parallel` at a time (1 for real runs: figures
 * need the machine to themselves; more for smoke runs, which only check that everything delivers).
 * Outcomes come back in scenario-then-target order whatever the completion order.
 */
export async function runAll(
  scenarios: readonly Scenario[],
  targets: readonly Target[],
  ctx: ScenarioContext,
  reference: string,
  parallel = 1,
): Promise<Outcome[]> {
  const jobs = scenarios.flatMap((scenario) => targets.map((target) => ({ scenario, target })));
  const outcomes: Outcome[] = new Array<Outcome>(jobs.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < jobs.length) {
      const index = next++;
      const job = jobs[index];
      if (!job) return;
      const label = `${job.scenario.name} on ${job.target.name}`;
      const scoped = { ...ctx, log: (line: string) => ctx.log(`${label}: ${line.trim()}`) };
      const result = await runOne(job.scenario, job.target, scoped, reference);
      if (result.status !== 'not applicable') {
        ctx.log(`${label} -> ${result.status}${result.errors.length ? `: ${result.errors.join('; ')}` : ''} (${result.ms} ms)`);
      }
      outcomes[index] = result;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, lane));
  return outcomes;
}
