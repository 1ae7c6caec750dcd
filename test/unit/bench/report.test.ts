import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXml, renderSvg } from '../../../bench/report/svg.js';
import { formatRatio, formatValue, goalText, meetsGoal, ratio } from '../../../bench/report/format.js';
import { renderMarkdown } from '../../../bench/report/markdown.js';
import type { RunRecord } from '../../../bench/report/types.js';
import { fileStamp } from '../../../bench/report/write.js';
import type { Outcome } from '../../../bench/scenarios/types.js';

const metric = (value: number | null) => ({ key: 'cpu', label: 'CPU per delivery', unit: 'µs', value, better: 'lower' as const, chart: true, goal: { ratioMax: 0.5 } });
const outcome = (target: string, value: number | null, status: Outcome['status'] = 'ok'): Outcome => ({
  scenario: 'fanout',
  title: 'fan-out <max>',
  target,
  status,
  metrics: value === null ? [] : [metric(value)],
  notes: [`note of ${target}`],
  errors: status === 'unavailable' ? ['dist/cli.js missing'] : [],
  ms: 1,
});
const record = (outcomes: Outcome[]): RunRecord => ({
  version: 1,
  startedAt: '2024-01-01T00:00:00.000Z',
  finishedAt: '2024-01-01T00:01:00.000Z',
  smoke: false,
  command: 'npm run bench',
  machine: { cpuModel: 'AMD EPYC', cpus: 2, memoryGiB: 24, kernel: '6.1', node: 'v20.0.0', openFilesLimit: 20000 },
  reference: 'ws',
  outcomes,
});

test('values and ratios are formatted to about three digits', () => {
  assert.equal(formatValue(4.912), '4.91');
  assert.equal(formatValue(67.04), '67.0');
  assert.equal(formatValue(123_456.7), '123,457');
  assert.equal(formatValue(0.2049), '0.205');
  assert.equal(formatValue(null), '—');
  assert.equal(formatRatio(ratio(2, 4)), '0.50×');
  assert.equal(ratio(1, 0), null);
});

test('goals are judged against the reference or absolute bounds', () => {
  assert.equal(meetsGoal({ ratioMax: 0.5 }, 2, 5), true);
  assert.equal(meetsGoal({ ratioMax: 0.5 }, 3, 5), false);
  assert.equal(meetsGoal({ ratioMax: 0.5 }, 3, null), null);
  assert.equal(meetsGoal({ min: 20_000 }, 25_000, null), true);
  assert.equal(meetsGoal({ max: 50 }, 51, null), false);
  assert.equal(goalText({ ratioMax: 0.5 }, 'µs', 'ws'), '≤ 0.50× ws');
  assert.equal(goalText({ min: 8000 }, '/s', 'ws'), '≥ 8,000 /s');
  // A bound on the native reference counts only where it measured something (it may be unavailable).
  assert.equal(meetsGoal({ ratioMax: 0.5, nativeRatioMax: 3 }, 2, 5, 1), true);
  assert.equal(meetsGoal({ ratioMax: 0.5, nativeRatioMax: 3 }, 2, 5, 0.5), false);
  assert.equal(meetsGoal({ ratioMax: 0.5, nativeRatioMax: 3 }, 2, 5, null), true);
  assert.equal(goalText({ ratioMax: 0.5, nativeRatioMax: 3 }, 'µs', 'ws', 'uws'), '≤ 0.50× ws, ≤ 3.00× uws');
});

test('markdown puts targets side by side with the ratio and the verdict', () => {
  const md = renderMarkdown(record([outcome('ws', 4.9), outcome('tidings', 2.0)]));
  assert.match(md, /\| metric \| ws \| tidings \| tidings \/ ws \| goal \|/);
  assert.match(md, /\| CPU per delivery \(µs\) \| 4\.90 \| 2\.00 \| 0\.41× \| ≤ 0\.50× ws ✔ \|/);
  assert.match(md, /- tidings: note of tidings/);
});

test('markdown reports an unavailable target without figures', () => {
  const md = renderMarkdown(record([outcome('ws', 4.9), outcome('tidings', null, 'unavailable')]));
  assert.match(md, /tidings: unavailable \(dist\/cli\.js missing\)/);
  assert.match(md, /\| CPU per delivery \(µs\) \| 4\.90 \| — \| — \| ≤ 0\.50× ws \|/);
});

test('the SVG has one bar per measured target and escapes text', () => {
  const svg = renderSvg(record([outcome('ws', 4.9), outcome('tidings', 2.0)]));
  assert.equal((svg.match(/<rect x="130"/g) ?? []).length, 2);
  assert.match(svg, /fan-out|fanout · CPU per delivery/);
  assert.match(svg, /0\.41×/);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assert.equal(escapeXml('<a & "b">'), '&#60;a &#38; &#34;b&#34;&#62;');
  assert.match(renderSvg(record([])), /no charted figures/);
});

test('file stamps have no colons', () => {
  assert.equal(fileStamp('2024-01-01T10:20:30.123Z'), '2024-01-01T10-20-30Z');
});

test('metrics with a chart group share one group, a bar per metric', () => {
  const grouped = (key: string, bar: string, value: number) => ({
    key,
    label: key,
    unit: 'B',
    value,
    better: 'lower' as const,
    chart: true,
    chartGroup: { title: 'bytes per notification', bar },
  });
  const metrics = [grouped('a', 'WebSocket', 291), grouped('b', 'long poll', 710)];
  const outcome: Outcome = { scenario: 'wire', title: 'w', target: 'tidings', status: 'ok', metrics, notes: [], errors: [], ms: 1 };
  const svg = renderSvg(record([outcome]));
  assert.equal((svg.match(/class="title"/g) ?? []).length, 1);
  assert.match(svg, /wire · bytes per notification \(tidings\)/);
  assert.match(svg, />WebSocket</);
  assert.match(svg, />710 B</);
});
