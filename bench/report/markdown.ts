/** The markdown report: one table per scenario, targets side by side, ratios to the reference and goals. */
import type { Outcome } from '../scenarios/types.js';
import { byScenario, formatRatio, formatValue, goalText, meetsGoal, metricKeys, metricOf, ratio } from './format.js';
import type { RunRecord } from './types.js';

function header(record: RunRecord): string[] {
  const m = record.machine;
  return [
    `# Benchmark results${record.smoke ? ' (smoke: tiny sizes, not figures)' : ''}`,
    '',
    `Run ${record.startedAt} → ${record.finishedAt}: \`${record.command}\``,
    '',
    `Machine: ${m.cpuModel}, ${m.cpus} CPUs, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${m.node}, open files ${m.openFilesLimit ?? '?'}.`,
    '',
  ];
}

function statusLine(outcomes: readonly Outcome[]): string {
  return outcomes
    .map((o) => `${o.target}: ${o.status}${o.errors.length > 0 ? ` (${o.errors.join('; ')})` : ''}`)
    .join(' · ');
}

/**
 * One row per metric: each target's value, each other target's ratio to the reference and, when the native
 * reference measured something, the ratio of each target that is neither reference to it.
 */
function table(all: readonly Outcome[], reference: string, judge: boolean, native?: string): string[] {
  const outcomes = all.filter((o) => o.status !== 'not applicable');
  const ref = outcomes.find((o) => o.target === reference);
  const others = ref ? outcomes.filter((o) => o !== ref) : [];
  const nativeRef = outcomes.find((o) => o.target === native && o.metrics.length > 0);
  const vsNative = nativeRef ? outcomes.filter((o) => o !== ref && o !== nativeRef) : [];
  const columns = [
    ...outcomes.map((o) => o.target),
    ...others.map((o) => `${o.target} / ${reference}`),
    ...vsNative.map((o) => `${o.target} / ${nativeRef?.target ?? ''}`),
    'goal',
  ];
  const lines = [`| metric | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`];
  for (const metric of metricKeys(outcomes)) {
    const refValue = metricOf(ref, metric.key)?.value ?? null;
    const values = outcomes.map((o) => formatValue(metricOf(o, metric.key)?.value));
    const nativeValue = metricOf(nativeRef, metric.key)?.value ?? null;
    const ratios = [
      ...others.map((o) => formatRatio(ratio(metricOf(o, metric.key)?.value, refValue))),
      ...vsNative.map((o) => formatRatio(ratio(metricOf(o, metric.key)?.value, nativeValue))),
    ];
    const goal = metric.goal;
    const judged = goal ? outcomes.find((o) => o.target === (goal.appliesTo ?? 'tidings')) : undefined;
    const verdict = judge && goal && judged ? meetsGoal(goal, metricOf(judged, metric.key)?.value ?? null, refValue, nativeValue) : null;
    const mark = verdict === null ? '' : verdict ? ' ✔' : ' ✘';
    const label = `${metric.label} (${metric.unit})`;
    lines.push(`| ${label} | ${[...values, ...ratios].join(' | ')} | ${goalText(goal, metric.unit, reference, native)}${mark} |`);
  }
  return lines;
}

function notes(outcomes: readonly Outcome[]): string[] {
  return outcomes.flatMap((o) => o.notes.map((n) => `- ${o.target}: ${n}`));
}

/** Render `record` as markdown. */
export function renderMarkdown(record: RunRecord): string {
  const out = header(record);
  for (const [scenario, outcomes] of byScenario(record.outcomes)) {
    out.push(`## ${scenario}: ${outcomes[0]?.title ?? ''}`, '', statusLine(outcomes), '');
    const measured = outcomes.filter((o) => o.metrics.length > 0);
    // Smoke sizes say nothing about goals: show them, but do not judge.
    if (measured.length > 0) out.push(...table(outcomes, record.reference, !record.smoke, record.nativeReference), '');
    const lines = notes(outcomes);
    if (lines.length > 0) out.push(...lines, '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
