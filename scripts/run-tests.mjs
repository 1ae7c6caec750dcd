#!/usr/bin/env node
// Runs the node:test suites through tsx. Node 20's runner has no glob support, so the files are listed here.
// Usage: node scripts/run-tests.mjs [suite ...]   (suites: unit contract integration e2e reliability model)
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const DEFAULT_SUITES = ['unit', 'contract', 'integration', 'model', 'e2e'];
const suites = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_SUITES;

function collect(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** Newest modification time under `dir` (files only), 0 when it does not exist. */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let max = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    max = Math.max(max, st.isDirectory() ? newest(path) : st.mtimeMs);
  }
  return max;
}

// The end-to-end and deploy tests run the built `dist/`: a build older than `src/` would test stale code
// and hide a regression, so build first when it is.
if (suites.some((s) => s === 'e2e' || s === 'integration' || s === 'reliability') && newest('src') > newest('dist')) {
  console.log('run-tests: dist/ is older than src/; building first (npm run build)');
  const built = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

// Suites that need a system program skip quietly without it (outside CI, where they fail instead): say so.
const NEEDS = [
  ['chromium', 'chromium', 'the browser tests (test/e2e)'],
  ['nginx', 'nginx-light', 'the nginx tests'],
  ['supervisord', 'supervisor', 'the supervisor tests'],
  ['systemd-analyze', 'systemd', 'the systemd unit check'],
];
const onPath = (bin) => (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, bin)));
const missing = NEEDS.filter(([bin]) => !onPath(bin));
if (missing.length > 0 && suites.some((s) => s === 'e2e' || s === 'integration')) {
  const what = missing.map(([bin, , tests]) => `${tests} (no ${bin})`).join(', ');
  console.log(`run-tests: skipping ${what}; install with: apt-get install -y ${missing.map(([, pkg]) => pkg).join(' ')}`);
}

// Every test file has a time limit, so a hang (a loop that never ends, an event never awaited) fails instead
// of stalling CI. Node 20's runner applies --test-timeout to each file's subprocess as a whole (and to each
// test inside it): 300 s per file, 600 s in the reliability suite (soaks, restarts). TIDINGS_TEST_TIMEOUT_MS
// overrides both.
const run = (files, concurrency, timeoutMs) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, `--test-timeout=${process.env.TIDINGS_TEST_TIMEOUT_MS ?? timeoutMs}`, '--test-reporter=spec', ...files],
    { stdio: 'inherit' },
  ).status ?? 1;

// The reliability suite measures timings and memory: its files run one at a time, and never next to other
// suites' files (they run first, in a pass of their own).
const files = suites.filter((s) => s !== 'reliability').flatMap((s) => collect(join('test', s)));
const reliability = suites.includes('reliability') ? collect(join('test', 'reliability')) : [];
if (files.length + reliability.length === 0) {
  console.error(`no test files found in: ${suites.join(', ')}`);
  process.exit(1);
}
let status = 0;
if (files.length > 0) status = run(files, process.env.TIDINGS_TEST_CONCURRENCY ?? '3', 300_000);
if (reliability.length > 0) status = run(reliability, '1', 600_000) || status;
process.exit(status);
