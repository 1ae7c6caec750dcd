/**
 * Options shared by the reliability suites: a hang fails its suite instead of holding CI until the job
 * is killed (the runner is started without --test-timeout).
 */
export const SUITE = { timeout: 120_000 } as const;
