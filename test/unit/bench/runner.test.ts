import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runAll, runOne } from '../../../bench/runner.js';
import type { Measurement, Scenario, ScenarioContext } from '../../../bench/scenarios/types.js';
import type { Capability, Target } from '../../../bench/targets/types.js';

const target = (name: string, reason: string | null = null, caps: Capability[] = ['broadcast']): Target => ({
  name,
  title: name,
  capabilities: new Set(caps),
  unavailableReason: () => reason,
  start: () => Promise.reject(new Error('not used')),
});
const scenario = (run: () => Promise<Measurement>, requires: Capability[] = ['broadcast']): Scenario => ({ name: 's', title: 'S', requires, run });
const ok = async (): Promise<Measurement> => ({ metrics: [{ key: 'k', label: 'k', unit: '', value: 1, better: 'lower' }], notes: ['n'], failures: [] });
const ctx = (smoke: boolean, ci: boolean): ScenarioContext => ({
  smoke,
  env: { ci, redisUrl: 'redis://127.0.0.1:1', databaseUrl: 'postgres://x@127.0.0.1:1/x' },
  log: () => {},
});

test('a measured scenario is ok; delivery failures and exceptions make it failed', async () => {
  assert.equal((await runOne(scenario(ok), target('ws'), ctx(false, false), 'ws')).status, 'ok');
  const lost = await runOne(scenario(async () => ({ metrics: [], notes: [], failures: ['3 lost'] })), target('ws'), ctx(false, false), 'ws');
  assert.deepEqual([lost.status, lost.errors], ['failed', ['3 lost']]);
  const thrown = await runOne(scenario(() => Promise.reject(new Error('boom'))), target('ws'), ctx(false, false), 'ws');
  assert.deepEqual([thrown.status, thrown.errors], ['failed', ['boom']]);
});

test('a missing capability is not applicable', async () => {
  const outcome = await runOne(scenario(ok, ['notify']), target('ws'), ctx(false, false), 'ws');
  assert.equal(outcome.status, 'not applicable');
});

test('a missing target is unavailable, except in smoke under CI and for the reference', async () => {
  const missing = target('tidings', 'dist/cli.js missing');
  assert.equal((await runOne(scenario(ok), missing, ctx(true, false), 'ws')).status, 'unavailable');
  assert.equal((await runOne(scenario(ok), missing, ctx(false, true), 'ws')).status, 'unavailable');
  assert.equal((await runOne(scenario(ok), missing, ctx(true, true), 'ws')).status, 'failed');
  assert.equal((await runOne(scenario(ok), target('ws', 'broken'), ctx(false, false), 'ws')).status, 'failed');
  // An optional reference (a native binary that may not load here) is never a failure.
  const native = { ...target('uws', 'does not load here'), optional: true };
  const outcome = await runOne(scenario(ok), native, ctx(true, true), 'ws');
  assert.deepEqual([outcome.status, outcome.errors], ['unavailable', ['does not load here']]);
});

test('an unreachable service makes the run unavailable (failed in smoke under CI)', async () => {
  const needsRedis: Scenario = { ...scenario(ok), services: ['redis'] };
  const outcome = await runOne(needsRedis, target('tidings'), ctx(false, false), 'ws');
  assert.equal(outcome.status, 'unavailable');
  assert.match(outcome.errors[0] ?? '', /redis not reachable/);
  assert.equal((await runOne(needsRedis, target('tidings'), ctx(true, true), 'ws')).status, 'failed');
});

test('runAll keeps scenario-then-target order when running in parallel', async () => {
  const slow = (ms: number): Scenario => ({ ...scenario(() => new Promise((r) => setTimeout(() => void ok().then(r), ms))), name: `s${ms}` });
  const outcomes = await runAll([slow(30), slow(1)], [target('ws'), target('tidings')], ctx(true, false), 'ws', 3);
  assert.deepEqual(outcomes.map((o) => `${o.scenario}/${o.target}`), ['s30/ws', 's30/tidings', 's1/ws', 's1/tidings']);
});
