/** The record of one benchmark run: what the JSON file holds and the tables and chart are made from. */
import type { MachineInfo } from '../lib/machine.js';
import type { Outcome } from '../scenarios/types.js';

/** One run. */
export interface RunRecord {
  readonly version: 1;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly smoke: boolean;
  /** Only some scenarios or targets ran: written as `partial.*`, never over the full run's `latest.*`. */
  readonly partial?: boolean;
  /** The command line that produced it. */
  readonly command: string;
  readonly machine: MachineInfo;
  /** Name of the reference target (ratios are value / reference value). */
  readonly reference: string;
  /** The second reference (the native limit, `uws`): Tidings' figures also get a ratio to it. */
  readonly nativeReference?: string;
  readonly outcomes: readonly Outcome[];
}
