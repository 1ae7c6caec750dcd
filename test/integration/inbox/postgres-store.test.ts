/** The InboxStore contract against the real PostgreSQL at TIDINGS_TEST_DATABASE_URL, in a schema of its own. */
import { after, describe } from 'node:test';
import { createPostgresInboxStore } from '../../../src/inbox/index.js';
import { inboxStoreContract } from '../../contract/inbox-store.js';
import { DATABASE_URL, dropSchemas, postgresSkipReason, uniqueSchema } from '../../support/services/postgres.js';

const skip = await postgresSkipReason();
const schema = uniqueSchema('contract');

describe('PostgresInboxStore', { skip }, () => {
  after(() => dropSchemas([schema]));
  inboxStoreContract('postgres', () => createPostgresInboxStore({ url: DATABASE_URL, schema, poolSize: 4 }), {
    persistent: true,
  });
});
