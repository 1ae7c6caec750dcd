/** Every target, the reference first (ratios are computed against it). */
import { tidingsTarget } from './tidings.js';
import type { Target } from './types.js';
import { uwsTarget } from './uws.js';
import { wsTarget } from './ws.js';

export type { Capability, StartOptions, Target, TargetInstance } from './types.js';

/** Name of the reference target: the baseline of every ratio. */
export const REFERENCE = 'ws';

/** All targets in run order. */
export const TARGETS: readonly Target[] = [wsTarget, uwsTarget, tidingsTarget];

/** The second reference (the native limit): Tidings' headline figures get a ratio to it too. */
export const NATIVE_REFERENCE = 'uws';
