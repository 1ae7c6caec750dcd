/** The InboxStore contract against SQLite: in memory, and in a temporary file shared by the suite's stores. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createSqliteInboxStore } from '../../src/inbox/index.js';
import { inboxStoreContract } from './inbox-store.js';

inboxStoreContract('sqlite :memory:', () => createSqliteInboxStore({ path: ':memory:' }));

const dir = mkdtempSync(join(tmpdir(), 'tidings-inbox-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
inboxStoreContract('sqlite file', () => createSqliteInboxStore({ path: join(dir, 'inbox.db') }), { persistent: true });
