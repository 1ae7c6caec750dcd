/** Scenarios, their measurements, and what a run records. */
import type { BenchEnv } from '../lib/env.js';
import type { Capability, Target } from '../targets/types.js';

/** A target a metric may be judged against: a ratio to the reference (`ws`) or an absolute bound. */
export interface Goal {
  /** Bound on value / reference value. */
  readonly ratioMax?: number;
  readonly ratioMin?: number;
  /** Bound on value / the native reference's value (`uws`), when it ran. */
  readonly nativeRatioMax?: number;
  /** Absolute bounds, in the metric's unit. */
  readonly max?: number;
  readonly min?: number;
  /** Which target the goal applies to. Default `tidings`. */
  readonly appliesTo?: string;
}

/** One figure of a measurement. */
export interface Metric {
  /** Stable key (`cpu_per_delivery`), used to pair the same figure across targets. */
  readonly key: string;
  /** Table label (`server CPU per delivery`). */
  readonly label: string;
  readonly unit: string;
  /** null when it could not be measured (e.g. no latency samples). */
  readonly value: number | null;
  readonly better: 'lower' | 'higher';
  /** Show in the SVG chart. */
  readonly chart?: boolean;
  /**
   * Chart this metric as one bar (labelled `bar`) of a group titled `title`, with the other metrics of the
   * same title, instead of one group per metric with a bar per target (for comparing modes of one target).
   */
  readonly chartGroup?: { readonly title: string; readonly bar: string };
  readonly goal?: Goal;
}

/** What a scenario returns for one target. */
export interface Measurement {
  readonly metrics: readonly Metric[];
  /** Facts worth printing (sizes, rates used, close codes). */
  readonly notes: readonly string[];
  /** Delivery failures: any entry marks the run failed (lost messages, failed connections, errors). */
  readonly failures: readonly string[];
}

/** The outcome of one scenario on one target, as stored in the JSON file. */
export interface Outcome {
  readonly scenario: string;
  readonly title: string;
  readonly target: string;
  readonly status: 'ok' | 'failed' | 'unavailable' | 'not applicable';
  readonly metrics: readonly Metric[];
  readonly notes: readonly string[];
  /** Failure reasons, or why the target was unavailable. */
  readonly errors: readonly string[];
  readonly ms: number;
}

/** What every scenario gets. */
export interface ScenarioContext {
  readonly smoke: boolean;
  readonly env: BenchEnv;
  /** Progress line on stderr. */
  log(line: string): void;
}

/** A benchmark scenario. */
export interface Scenario {
  /** Name on the command line (`fanout`, `notify-http-sqlite`). */
  readonly name: string;
  readonly title: string;
  /** Target capabilities needed; a target lacking one is "not applicable". */
  readonly requires: readonly Capability[];
  /** Shared services needed (their absence makes the run unavailable, or failed under CI). */
  readonly services?: readonly ('redis' | 'postgres')[];
  run(ctx: ScenarioContext, target: Target): Promise<Measurement>;
}
