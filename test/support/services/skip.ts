/**
 * What a test needs from the machine (Redis, PostgreSQL, Django, nginx, ...) and is not there: outside CI
 * the test skips with a reason that says how to get it; under CI=true it fails (.ci/run installs
 * everything), so a broken CI machine cannot pass by skipping.
 */
import { findBinary } from '../process.js';

export const IN_CI = process.env.CI === 'true';

/** `reason` as a skip reason; under CI=true, thrown as an error instead. */
export function skipOrFail(reason: string): string {
  if (IN_CI) throw new Error(reason);
  return reason;
}

/** `false` when `binary` is installed; otherwise a skip reason (an error under CI). */
export function unless(binary: string, debianPackage: string): false | string {
  if (findBinary(binary)) return false;
  return skipOrFail(`${binary} not installed (apt-get install -y ${debianPackage}); skipped outside CI`);
}
