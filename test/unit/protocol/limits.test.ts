/**
 * protocol/limits.ts is the one table of size limits: the publish schema (HTTP API, SDK, CLI), the inbox's
 * own checks, the `/inform/` frames and the token check agree at every limit, so a value one layer accepts is
 * never refused by the next (they had drifted: a 256-character dedupeKey passed the inbox, not the API).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenVerifier, signToken } from '../../../src/auth/index.js';
import { prepareNotification } from '../../../src/inbox/input.js';
import { NotifyInput, ReadInput } from '../../../src/notify/schemas.js';
import { ClientFrame } from '../../../src/protocol/frames.js';
import { MAX_DATA_LENGTH, MAX_DEDUPE_KEY_LENGTH, MAX_IDS_PER_REQUEST, MAX_KIND_LENGTH, MAX_NOTIFICATION_ID_LENGTH, MAX_USER_ID_LENGTH } from '../../../src/protocol/limits.js';

const schemaAccepts = (n: Record<string, unknown>) => NotifyInput.safeParse(n).success;
const inboxAccepts = (n: { to: string; kind: string; data?: Record<string, unknown>; dedupeKey?: string }) => {
  try {
    prepareNotification({ userId: n.to, kind: n.kind, data: n.data ?? {}, dedupeKey: n.dedupeKey });
    return true;
  } catch {
    return false;
  }
};

describe('one table of limits', () => {
  it('the publish schema and the inbox agree at each limit and one past it', () => {
    const cases = [
      (len: number) => ({ to: 'u'.repeat(len), kind: 'k' }),
      (len: number) => ({ to: 'u', kind: 'k'.repeat(len) }),
      (len: number) => ({ to: 'u', kind: 'k', dedupeKey: 'd'.repeat(len) }),
    ];
    const limits = [MAX_USER_ID_LENGTH, MAX_KIND_LENGTH, MAX_DEDUPE_KEY_LENGTH];
    cases.forEach((make, i) => {
      const max = limits[i]!;
      assert.equal(schemaAccepts(make(max)), true, `schema at ${max}`);
      assert.equal(inboxAccepts(make(max)), true, `inbox at ${max}`);
      assert.equal(schemaAccepts(make(max + 1)), false, `schema past ${max}`);
      assert.equal(inboxAccepts(make(max + 1)), false, `inbox past ${max}`);
    });
    const data = { text: 'x'.repeat(MAX_DATA_LENGTH - '{"text":""}'.length) };
    assert.equal(inboxAccepts({ to: 'u', kind: 'k', data }), true);
    assert.equal(inboxAccepts({ to: 'u', kind: 'k', data: { text: `${data.text}x` } }), false);
  });

  it('read requests over HTTP and as frames take the same ids', () => {
    const ids = (n: number, len = 8) => Array.from({ length: n }, (_, i) => String(i).padStart(len, '0'));
    for (const [list, ok] of [[ids(MAX_IDS_PER_REQUEST), true], [ids(MAX_IDS_PER_REQUEST + 1), false], [ids(1, MAX_NOTIFICATION_ID_LENGTH), true], [ids(1, MAX_NOTIFICATION_ID_LENGTH + 1), false]] as const) {
      assert.equal(ReadInput.safeParse({ ids: list }).success, ok);
      assert.equal(ClientFrame.safeParse({ type: 'read', ids: list }).success, ok);
    }
  });

  it('a token whose sub is a user id the inbox takes is accepted, one longer is not', async () => {
    const secret = 's'.repeat(32);
    const verifier = createTokenVerifier({ secret });
    assert.equal((await verifier.verify(await signToken(secret, 'u'.repeat(MAX_USER_ID_LENGTH)))).id.length, MAX_USER_ID_LENGTH);
    await assert.rejects(verifier.verify(await signToken(secret, 'u'.repeat(MAX_USER_ID_LENGTH + 1))));
  });
});
