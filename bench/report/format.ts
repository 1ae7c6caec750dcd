/** Number formatting, ratios and goal checks shared by the markdown table and the SVG chart. */
import type { Goal, Metric, Outcome } from '../scenarios/types.js';

/** A value with about three significant digits and thousands separators; `—` for null. */
export function formatValue(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** `value / reference`, or null when either is missing or the reference is 0. */
export function ratio(value: number | null | undefined, reference: number | null | undefined): number | null {
  if (value === null || value === undefined || reference === null || reference === undefined || reference === 0) return null;
  return value / reference;
}

/** `0.42×` or `—`. */
export function formatRatio(value: number | null): string {
  return value === null ? '—' : `${value.toFixed(2)}×`;
}

/** A goal in words: `≤ 0.50× ws`, `≥ 20,000 /s`, `≤ 3.00× uws`. */
export function goalText(goal: Goal | undefined, unit: string, reference: string, native = 'uws'): string {
  if (!goal) return '';
  const parts: string[] = [];
  if (goal.ratioMax !== undefined) parts.push(`≤ ${goal.ratioMax.toFixed(2)}× ${reference}`);
  if (goal.nativeRatioMax !== undefined) parts.push(`≤ ${goal.nativeRatioMax.toFixed(2)}× ${native}`);
  if (goal.ratioMin !== undefined) parts.push(`≥ ${goal.ratioMin.toFixed(2)}× ${reference}`);
  if (goal.max !== undefined) parts.push(`≤ ${formatValue(goal.max)} ${unit}`);
  if (goal.min !== undefined) parts.push(`≥ ${formatValue(goal.min)} ${unit}`);
  return parts.join(', ');
}

/**
 * Whether `value` meets `goal` (null when it cannot be judged, e.g. no reference value). A bound on the
 * native reference is judged only when that reference measured a value (it may be unavailable here).
 */
export function meetsGoal(goal: Goal, value: number | null, referenceValue: number | null, nativeValue: number | null = null): boolean | null {
  if (value === null) return null;
  const r = ratio(value, referenceValue);
  const checks: boolean[] = [];
  const n = ratio(value, nativeValue);
  if (goal.nativeRatioMax !== undefined && n !== null) checks.push(n <= goal.nativeRatioMax);
  if (goal.ratioMax !== undefined || goal.ratioMin !== undefined) {
    if (r === null) return null;
    if (goal.ratioMax !== undefined) checks.push(r <= goal.ratioMax);
    if (goal.ratioMin !== undefined) checks.push(r >= goal.ratioMin);
  }
  if (goal.max !== undefined) checks.push(value <= goal.max);
  if (goal.min !== undefined) checks.push(value >= goal.min);
  return checks.every(Boolean);
}

/** The metric `key` of `outcome`, if measured. */
export function metricOf(outcome: Outcome | undefined, key: string): Metric | undefined {
  return outcome?.metrics.find((m) => m.key === key);
}

/** Outcomes grouped by scenario, in first-seen order. */
export function byScenario(outcomes: readonly Outcome[]): Map<string, Outcome[]> {
  const groups = new Map<string, Outcome[]>();
  for (const outcome of outcomes) {
    const list = groups.get(outcome.scenario) ?? [];
    list.push(outcome);
    groups.set(outcome.scenario, list);
  }
  return groups;
}

/** Metrics of a scenario in first-seen order across its targets (a target may lack some). */
export function metricKeys(outcomes: readonly Outcome[]): Metric[] {
  const seen = new Map<string, Metric>();
  for (const outcome of outcomes) for (const m of outcome.metrics) if (!seen.has(m.key)) seen.set(m.key, m);
  return [...seen.values()];
}
