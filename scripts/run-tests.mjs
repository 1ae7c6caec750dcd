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
