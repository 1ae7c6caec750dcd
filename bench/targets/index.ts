/** Every target, the reference first (ratios are computed against it). */
import { tidingsTarget } from './tidings.js';
import type { Target } from './types.js';
import { wsTarget } from './ws.js';

export type { Capability, StartOptions, Target, TargetInstance } from './types.js';

/** Name of the reference target: the baseline of every ratio. */
export const REFERENCE = 'ws';

/** All targets in run order. */
export const TARGETS: readonly Target[] = [wsTarget, tidingsTarget];
