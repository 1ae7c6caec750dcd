/** The ReachStore contract on SQLite: a temporary file shared by the suite's inboxes (two connections, as two processes). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createSqliteInboxStore } from '../../src/inbox/index.js';
import { reachStoreContract } from './reach-store.js';

const dir = mkdtempSync(join(tmpdir(), 'tidings-reach-contract-'));
after(() => rmSync(dir, { recursive: true, force: true }));
reachStoreContract('sqlite', async () => createSqliteInboxStore({ path: join(dir, 'inbox.db') }));
