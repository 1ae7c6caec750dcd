/**
 * A hand-written SVG bar chart (no dependency): for every charted metric, one bar per target, scaled to
 * the largest value of that metric, labelled with the value and the ratio to the reference.
 */
import type { Outcome } from '../scenarios/types.js';
import { byScenario, formatRatio, formatValue, metricKeys, metricOf, ratio } from './format.js';
import type { RunRecord } from './types.js';

const WIDTH = 920;
const LABEL_X = 16;
const BAR_X = 130;
const BAR_MAX = 560;
const ROW = 22;
const COLORS: Record<string, string> = { ws: '#8a8f98', tidings: '#2f6fdf' };
const FALLBACK_COLORS = ['#d9822b', '#0f9960', '#a854a8'];

/** Escape text for XML. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface Group {
  readonly title: string;
  readonly bars: ReadonlyArray<{ target: string; value: number; text: string }>;
}

function colorOf(target: string, index: number): string {
  return COLORS[target] ?? FALLBACK_COLORS[index % FALLBACK_COLORS.length] ?? '#666';
}

function targetGroups(outcomes: readonly Outcome[], scenario: string, reference: string): Group[] {
  const out: Group[] = [];
  const ref = outcomes.find((o) => o.target === reference);
  for (const metric of metricKeys(outcomes).filter((m) => m.chart && !m.chartGroup)) {
    const refValue = metricOf(ref, metric.key)?.value ?? null;
    const bars = outcomes.flatMap((o) => {
      const value = metricOf(o, metric.key)?.value;
      if (value === null || value === undefined) return [];
      const r = o === ref || refValue === null ? '' : ` (${formatRatio(ratio(value, refValue))})`;
      return [{ target: o.target, value, text: `${formatValue(value)} ${metric.unit}${r}` }];
    });
    const better = metric.better === 'lower' ? 'lower is better' : 'higher is better';
    if (bars.length > 0) out.push({ title: `${scenario} · ${metric.label} (${metric.unit}, ${better})`, bars });
  }
  return out;
}

/** Metrics sharing a chartGroup title become one group per target, a bar per metric. */
function metricGroups(outcomes: readonly Outcome[], scenario: string): Group[] {
  const out: Group[] = [];
  for (const outcome of outcomes) {
    const byTitle = new Map<string, Group['bars'][number][]>();
    for (const m of outcome.metrics) {
      if (!m.chart || !m.chartGroup || m.value === null) continue;
      const bars = byTitle.get(m.chartGroup.title) ?? [];
      bars.push({ target: m.chartGroup.bar, value: m.value, text: `${formatValue(m.value)} ${m.unit}` });
      byTitle.set(m.chartGroup.title, bars);
    }
    for (const [title, bars] of byTitle) out.push({ title: `${scenario} · ${title} (${outcome.target})`, bars });
  }
  return out;
}

function groups(record: RunRecord): Group[] {
  return [...byScenario(record.outcomes)].flatMap(([scenario, outcomes]) => [
    ...targetGroups(outcomes, scenario, record.reference),
    ...metricGroups(outcomes, scenario),
  ]);
}

function renderGroup(group: Group, top: number): string[] {
  const max = Math.max(...group.bars.map((b) => Math.abs(b.value)), Number.MIN_VALUE);
  const parts = [`<text x="${LABEL_X}" y="${top + 14}" class="title">${escapeXml(group.title)}</text>`];
  group.bars.forEach((bar, i) => {
    const y = top + 22 + i * ROW;
    const width = Math.max(1, (Math.abs(bar.value) / max) * BAR_MAX);
    parts.push(
      `<text x="${LABEL_X}" y="${y + 14}">${escapeXml(bar.target)}</text>`,
      `<rect x="${BAR_X}" y="${y + 2}" width="${width.toFixed(1)}" height="${ROW - 6}" fill="${colorOf(bar.target, i)}"/>`,
      `<text x="${(BAR_X + width + 6).toFixed(1)}" y="${y + 14}">${escapeXml(bar.text)}</text>`,
    );
  });
  return parts;
}

/** Render the chart of `record`. */
export function renderSvg(record: RunRecord): string {
  const list = groups(record);
  const body: string[] = [];
  let top = 44;
  for (const group of list) {
    body.push(...renderGroup(group, top));
    top += 30 + group.bars.length * ROW;
  }
  if (list.length === 0) body.push(`<text x="${LABEL_X}" y="${top + 14}">no charted figures in this run</text>`);
  const height = top + 30;
  const heading = `Tidings benchmark ${record.smoke ? '(smoke) ' : ''}${record.startedAt} · ${record.machine.cpus} CPUs · Node ${record.machine.node}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    '<style>.title{font-weight:600} .heading{font-size:15px;font-weight:700}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    `<text x="${LABEL_X}" y="26" class="heading">${escapeXml(heading)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}
