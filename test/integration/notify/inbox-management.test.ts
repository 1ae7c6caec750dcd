/**
 * Inbox management end to end: archive, mark unread and archive-all-read over the socket (`archive`,
 * `mark_unread`, `archive_read` frames), over `/v1/me/…` and over `/v1/users/:id/…`. Every tab of the user gets
 * the exact count after each change, including a count that goes up (mark unread), and lists leave out
 * archived rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../../../src/testing/index.js';

describe('inbox management', () => {
  let srv: TestServer;
  before(async () => {
    srv = await startTestServer();
  });
  after(() => srv?.close());

  it('every tab follows archive, unread and archive-all-read, whichever path they take', async () => {
    const ids: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      const res = await srv.api('/v1/notifications', { body: { to: 'mia', kind: 'comment', data: { n } } });
      ids.push(((await res.json()) as { id: string }).id);
    }
    const [tabA, tabB] = await Promise.all([srv.connect('/inform/', { user: 'mia' }), srv.connect('/inform/', { user: 'mia' })]);
    for (const tab of [tabA, tabB]) assert.equal((await tab.nextOfType('hello')).unread, 4);
    const both = async (count: number) => {
      for (const tab of [tabA, tabB]) assert.equal((await tab.nextOfType('unread')).count, count);
    };

    tabA.send({ type: 'archive', ids: [ids[0]] });
    await both(3);
    tabA.send({ type: 'read', ids: [ids[1], ids[2]] });
    await both(1);
    tabB.send({ type: 'mark_unread', ids: [ids[1]] });
    await both(2); // a count that went up at the same seq still reaches every tab

    const token = await srv.tidings.token('mia');
    const me = (path: string, body: unknown) =>
      fetch(`${srv.url}/v1/me/${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const unread = await me('unread', { ids: [ids[2]] });
    assert.deepEqual(await unread.json(), { unread: 3 });
    await both(3);
    assert.deepEqual(await (await me('read', { ids: [ids[2], ids[3]] })).json(), { unread: 1 });
    await both(1);
    assert.deepEqual(await (await me('archive', { read: true })).json(), { unread: 1 });
    const list = (await (await fetch(`${srv.url}/v1/me/notifications`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: { id: string }[]; unread: number };
    assert.deepEqual(list.items.map((n) => n.id), [ids[1]], 'archived rows leave the list');
    assert.equal(list.unread, 1);

    const viaKey = await srv.api('/v1/users/mia/archive', { body: { ids: [ids[1]] } });
    assert.deepEqual(await viaKey.json(), { unread: 0 });
    await both(0);
    const other = await srv.tidings.token('noah');
    const refused = await fetch(`${srv.url}/v1/users/mia/unread`, { method: 'POST', headers: { authorization: `Bearer ${other}`, 'content-type': 'application/json' }, body: JSON.stringify({ ids }) });
    assert.equal(refused.status, 403);
    const bad = await me('archive', { ids: [] });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { code: string }).code, 'INVALID_BODY');
    tabA.close();
    tabB.close();
  });
});
