/** The ReachStore contract on PostgreSQL: one schema for the suite, opened by several pools (as several processes). */
import { after, test } from 'node:test';
import { createInboxStore } from '../../../src/inbox/index.js';
import { reachStoreContract } from '../../contract/reach-store.js';
import { DATABASE_URL, postgresSkipReason, uniqueName } from '../../support/services/postgres.js';
import pg from 'pg';

const skip = await postgresSkipReason();
if (skip) {
  test('ReachStore on PostgreSQL', { skip }, () => {});
} else {
  const schema = uniqueName('t_reach');
  after(async () => {
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await c.end();
  });
  reachStoreContract('postgres', () => createInboxStore(DATABASE_URL, { schema, poolSize: 4 }));
}
