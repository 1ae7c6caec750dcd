/**
 * The InboxStore contract: one suite that every backend must pass. Run it with
 * `inboxStoreContract('sqlite :memory:', () => createSqliteInboxStore({ path: ':memory:' }))`.
 *
 * `make` is called once per test and may return stores that share one database (the tests use their own
 * user ids); each store is closed when its test ends. With `persistent: true` the suite also checks that
 * what a closed store committed is found by the next store `make` returns.
 */
import { describe } from 'node:test';
import type { MakeStore } from './inbox-store-helpers.js';
import { lifecycleCases } from './inbox-store-lifecycle.js';
import { manageCases } from './inbox-store-manage.js';
import { readCases } from './inbox-store-reads.js';
import { writeCases } from './inbox-store-writes.js';

export type { MakeStore } from './inbox-store-helpers.js';

/** Options of {@link inboxStoreContract}. */
export interface InboxContractOptions {
  /** Stores returned by `make` share durable storage (a file, a database): check data survives close(). */
  persistent?: boolean;
}

/** Register the InboxStore contract tests for one backend. */
export function inboxStoreContract(name: string, make: MakeStore, options: InboxContractOptions = {}): void {
  describe(`InboxStore contract: ${name}`, () => {
    describe('writes', () => writeCases(make));
    describe('reads and read state', () => readCases(make));
    describe('inbox management: unread again, archive', () => manageCases(make));
    describe('invariants and lifecycle', () => lifecycleCases(make, options.persistent === true));
  });
}
