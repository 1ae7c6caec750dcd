/**
 * `npm run soak [-- --duration 10m --connections 2000 --wave 2s]`: the soak of the reliability suite
 * (case 28, test/reliability/faults/soak.ts) for as long as asked, 10 minutes by default. Prints one line
 * per wave, then the figures; exits 1 when the heap after GC grew more than 10 %, file descriptors did not
 * come back, or the server printed a listener warning or logged an error.
 */
import { parseArgs } from 'node:util';
import { runSoak } from './faults/soak.js';

/** `90s`, `10m`, `1h` or plain milliseconds. */
function duration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`--${flag} must look like 90s, 10m or 1h (got ${JSON.stringify(text)})`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10m' },
    connections: { type: 'string', default: '2000' },
    wave: { type: 'string', default: '2s' },
  },
});
const connections = Number(values.connections);
if (!Number.isInteger(connections) || connections < 1) throw new Error('--connections must be a positive integer');

const started = Date.now();
const r = await runSoak({
  durationMs: duration(values.duration, 'duration'),
  connections,
  waveMs: duration(values.wave, 'wave'),
  log: (line) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${line}\n`),
});
const mib = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;
const failures = [
  ...(r.heapGrowthPct > 10 ? [`heap after GC grew ${r.heapGrowthPct.toFixed(1)} % (limit 10 %)`] : []),
  ...(r.fdsAfter > r.fdsBefore ? [`file descriptors ${r.fdsBefore} -> ${r.fdsAfter}`] : []),
  ...(r.listenerWarnings.length > 0 ? [`${r.listenerWarnings.length} listener warnings`] : []),
  ...(r.delivery.length > 0 ? [`${r.delivery.length} sockets did not receive what they should:\n${r.delivery.slice(0, 5).join('\n')}`] : []),
  ...(r.problems.length > 0 ? [`${r.problems.length} errors or warnings logged:\n${r.problems.slice(0, 5).join('\n')}`] : []),
];
process.stdout.write(
  `soak: ${r.waves} waves, ${r.opened} sockets opened, ${r.notifications} notifications, ${r.broadcasts} broadcasts, ${r.frames} frames; ` +
    `heap ${mib(r.heapBefore)} -> ${mib(r.heapAfter)} (${r.heapGrowthPct.toFixed(1)} %), fds ${r.fdsBefore} -> ${r.fdsAfter}, ` +
    `RSS ${mib(r.rssBefore)} -> ${mib(r.rssAfter)}, listener warnings ${r.listenerWarnings.length}\n`,
);
if (failures.length > 0) {
  process.stderr.write(`soak FAILED:\n- ${failures.join('\n- ')}\n`);
  process.exitCode = 1;
} else process.stdout.write('soak passed\n');
