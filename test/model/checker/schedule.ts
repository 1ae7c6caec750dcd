/**
 * What the model-based checker generates: a run's settings and a schedule of steps, as plain data (so a
 * shrunk schedule prints as readable lines and replays exactly), and the fast-check arbitraries that draw
 * them. Indexes (`user`, `tab`, `proc`) are taken modulo what exists when the step runs, so every shrunk
 * schedule stays valid.
 */
import fc from 'fast-check';

/** The two deployments the checker drives. */
export type Shape = 'sqlite' | 'pg-redis';

/** Server settings drawn per run (small values make the limits reachable). */
export interface RunSettings {
  capacity: number;
  replayLimit: number;
  groupExpiry: number;
}

/** How a burst is published: the SDK (in-process shape only), one HTTP request per notification, or multi-recipient requests. */
export type Via = 'sdk' | 'http' | 'multi' | 'mixed';

export type Step =
  /** `n` notifications to one user, all published at once, each carrying `bytes` of padding. */
  | { op: 'burst'; user: number; n: number; via: Via; proc: number; bytes: number }
  /** A new tab: the raw protocol socket or the browser client (src/client); `since` none, 0 or the user's seq minus `back`. */
  | { op: 'open'; user: number; kind: 'raw' | 'client'; proc: number; since: 'none' | 'zero' | 'back'; back: number }
  | { op: 'close'; tab: number }
  /** Close the socket and open another: raw tabs with or without `since`, client tabs by `reconnect()`. */
  | { op: 'reconnect'; tab: number; withSince: boolean }
  /** Mark read from a tab (`read` frame / client markRead) or POST /v1/me/read: `count` of the unread rows, or all. */
  | { op: 'read'; tab: number; via: 'tab' | 'http'; all: boolean; count: number }
  | { op: 'broadcast'; proc: number; bytes: number }
  /** `n` rows stored but never pushed: a publisher that died after its commit. A later push reveals them. */
  | { op: 'stored-only'; user: number; n: number }
  /** Time passes (memberships and tokens age). */
  | { op: 'idle'; ms: number }
  /** The private Redis is stopped and started again (pg-redis only). */
  | { op: 'redis-restart' }
  /** Every database round trip is delayed by `ms` from now on (pg-redis only; 0 = fast again). */
  | { op: 'slow-db'; ms: number };

export interface Run {
  shape: Shape;
  settings: RunSettings;
  users: number;
  steps: Step[];
}

/** Largest padding: below maxPayload (64 KiB) and the HTTP body limit, with room for the envelope. */
export const MAX_BYTES = 60_000;

const bytes = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 2_000 }) }, { weight: 1, arbitrary: fc.integer({ min: 2_000, max: MAX_BYTES }) });
const count = fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 1, max: 20 }) }, { weight: 2, arbitrary: fc.integer({ min: 20, max: 150 }) }, { weight: 1, arbitrary: fc.integer({ min: 150, max: 500 }) });
const index = fc.nat({ max: 7 });

function stepArb(shape: Shape): fc.Arbitrary<Step> {
  const via: fc.Arbitrary<Via> = shape === 'sqlite' ? fc.constantFrom('sdk', 'http', 'multi', 'mixed') : fc.constantFrom('http', 'multi', 'mixed');
  const steps: Array<fc.WeightedArbitrary<Step>> = [
    { weight: 5, arbitrary: fc.record({ op: fc.constant('burst' as const), user: index, n: count, via, proc: index, bytes }) },
    { weight: 4, arbitrary: fc.record({ op: fc.constant('open' as const), user: index, kind: fc.constantFrom('raw' as const, 'client' as const), proc: index, since: fc.constantFrom('none' as const, 'zero' as const, 'back' as const), back: fc.nat({ max: 200 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('close' as const), tab: index }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('reconnect' as const), tab: index, withSince: fc.boolean() }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('read' as const), tab: index, via: fc.constantFrom('tab' as const, 'http' as const), all: fc.boolean(), count: fc.integer({ min: 1, max: 30 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('broadcast' as const), proc: index, bytes }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('idle' as const), ms: fc.integer({ min: 100, max: 3_000 }) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('stored-only' as const), user: index, n: fc.integer({ min: 1, max: 10 }) }) },
  ];
  if (shape === 'pg-redis') {
    steps.push({ weight: 1, arbitrary: fc.constant({ op: 'redis-restart' as const }) });
    steps.push({ weight: 1, arbitrary: fc.record({ op: fc.constant('slow-db' as const), ms: fc.constantFrom(0, 5, 30, 100) }) });
  }
  return fc.oneof(...steps);
}

/** The settings of a run: defaults or small values. */
export const settingsArb: fc.Arbitrary<RunSettings> = fc.record({
  capacity: fc.oneof(fc.constant(100), fc.integer({ min: 5, max: 100 })),
  replayLimit: fc.oneof(fc.constant(1000), fc.integer({ min: 2, max: 200 })),
  groupExpiry: fc.oneof({ weight: 2, arbitrary: fc.constant(86_400) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 6 }) }),
});

/** A whole run: settings, 1-3 users, and a schedule that starts by opening a tab. */
export function runArb(shape: Shape, maxSteps: number): fc.Arbitrary<Run> {
  return fc.record({
    shape: fc.constant(shape),
    settings: settingsArb,
    users: fc.integer({ min: 1, max: 3 }),
    steps: fc.array(stepArb(shape), { minLength: 1, maxLength: maxSteps }),
  });
}

/** One step as a short line: `burst u0 n=150 via=http proc=1 bytes=0`. */
export function formatStep(s: Step): string {
  const { op, ...rest } = s;
  return [op, ...Object.entries(rest).map(([k, v]) => `${k}=${String(v)}`)].join(' ');
}

/** A run as readable lines, and as the JSON a regression test replays. */
export function formatRun(run: Run): string {
  return [`shape=${run.shape} users=${run.users} settings=${JSON.stringify(run.settings)}`, ...run.steps.map((s, i) => `  ${i}: ${formatStep(s)}`), `replay: ${JSON.stringify(run)}`].join('\n');
}
