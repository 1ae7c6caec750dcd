import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isTidingsError } from '../../../src/errors.js';
import { GroupCommit } from '../../../src/inbox/group-commit.js';

/** A GroupCommit whose commit doubles numbers and records every batch. */
function doubler(options = { maxBatch: 100, maxPending: 1000 }, fail?: (items: readonly number[]) => boolean) {
  const batches: number[][] = [];
  const commits = new GroupCommit<number, number>(async (items) => {
    batches.push([...items]);
    await new Promise((resolve) => setImmediate(resolve));
    if (fail?.(items)) throw new Error('commit failed');
    return items.map((i) => i * 2);
  }, options);
  return { commits, batches };
}

it('commits submissions of the same tick together and gives each caller its own results', async () => {
  const { commits, batches } = doubler();
  const results = await Promise.all([commits.submit([1]), commits.submit([2, 3]), commits.submit([4])]);
  assert.deepEqual(results, [[2], [4, 6], [8]]);
  assert.deepEqual(batches, [[1, 2, 3, 4]]);
});

it('batches what arrives while a commit runs into the next commit, in order', async () => {
  const { commits, batches } = doubler();
  const first = commits.submit([1]);
  await new Promise((resolve) => setImmediate(resolve)); // the first batch is now committing
  const later = [commits.submit([2]), commits.submit([3])];
  assert.deepEqual(await Promise.all([first, ...later]), [[2], [4], [6]]);
  assert.deepEqual(batches, [[1], [2, 3]]);
});

it('bounds batches by maxBatch without splitting a submission', async () => {
  const { commits, batches } = doubler({ maxBatch: 3, maxPending: 1000 });
  await Promise.all([commits.submit([1, 2]), commits.submit([3, 4]), commits.submit([5, 6, 7, 8]), commits.submit([9])]);
  assert.deepEqual(batches, [[1, 2], [3, 4], [5, 6, 7, 8], [9]]);
});

it('fails only the batch whose commit failed', async () => {
  const { commits } = doubler({ maxBatch: 1, maxPending: 1000 }, (items) => items.includes(2));
  const settled = await Promise.allSettled([commits.submit([1]), commits.submit([2]), commits.submit([3])]);
  assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
});

it('refuses submissions beyond maxPending with INBOX_UNAVAILABLE', async () => {
  const { commits } = doubler({ maxBatch: 10, maxPending: 5 });
  const accepted = [commits.submit([1, 2, 3]), commits.submit([4, 5])];
  await assert.rejects(commits.submit([6]), (err: unknown) => isTidingsError(err) && err.code === 'INBOX_UNAVAILABLE');
  await Promise.all(accepted);
  assert.deepEqual(await commits.submit([6]), [12], 'accepts again once drained');
});

it('close() commits what is queued, then refuses new submissions', async () => {
  const { commits, batches } = doubler();
  const pending = commits.submit([1, 2]);
  await commits.close();
  assert.deepEqual(batches, [[1, 2]]);
  assert.deepEqual(await pending, [2, 4]);
  await assert.rejects(commits.submit([3]), (err: unknown) => isTidingsError(err) && err.code === 'INBOX_UNAVAILABLE');
  await commits.close();
});
