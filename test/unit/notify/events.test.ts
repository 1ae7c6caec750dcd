/**
 * Personal group names: derived from the exact user id, valid for every layer, and never shared by two ids
 * (case, Unicode look-alikes, paths, ids that look like other group names).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateGroupName } from '../../../src/layer/index.js';
import { SITE_GROUP, userGroup } from '../../../src/notify/index.js';

describe('userGroup', () => {
  const ids = ['alice', 'Alice', 'ALICE', '\u0430lice', 'alice\u200b', 'alice ', '../alice', 'x/../alice', 'tidings.u.alice', 'u.alice', 'h.alice', 'é', 'e\u0301', 'a'.repeat(80), 'a'.repeat(81), 'a'.repeat(128), 'site', 'tidings.site'];

  it('maps every id to a valid group name', () => {
    for (const id of ids) assert.equal(validateGroupName(userGroup(id)), userGroup(id));
  });

  it('maps different ids to different groups, none the site group', () => {
    const groups = new Set(ids.map(userGroup));
    assert.equal(groups.size, ids.length);
    assert.equal(groups.has(SITE_GROUP), false);
  });

  it('is a pure function of the id', () => {
    assert.equal(userGroup('alice'), 'tidings.u.alice');
    assert.equal(userGroup('../alice'), userGroup('../alice'));
    assert.match(userGroup('../alice'), /^tidings\.h\.[0-9a-f]{48}$/);
  });
});
