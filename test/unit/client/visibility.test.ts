/** The client reports page visibility with `visibility` frames (hidden at hello, then every change). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hello } from './fakes.js';
import { accept, startClient } from './harness.js';

function fakeDocument(initial: 'visible' | 'hidden') {
  const listeners = new Set<() => void>();
  return {
    visibilityState: initial as string,
    addEventListener: (_type: 'visibilitychange', l: () => void) => void listeners.add(l),
    removeEventListener: (_type: 'visibilitychange', l: () => void) => void listeners.delete(l),
    set(state: 'visible' | 'hidden') {
      this.visibilityState = state;
      for (const l of listeners) l();
    },
    get listening() {
      return listeners.size;
    },
  };
}

const visibilityFrames = (sent: Record<string, unknown>[]) => sent.filter((f) => f.type === 'visibility').map((f) => f.state);

test('a visible page sends nothing at hello, then reports each change', async (t) => {
  const doc = fakeDocument('visible');
  const h = await startClient(t, { document: doc });
  await accept(h, hello({ user: 'alice' }));
  assert.deepEqual(visibilityFrames(h.last().sent), []);
  doc.set('hidden');
  doc.set('visible');
  assert.deepEqual(visibilityFrames(h.last().sent), ['hidden', 'visible']);
  h.client.close();
  assert.equal(doc.listening, 0, 'close() stops listening');
});

test('a page hidden when the socket opens says so after hello, on every connection', async (t) => {
  const doc = fakeDocument('hidden');
  const h = await startClient(t, { document: doc });
  doc.set('hidden'); // before hello: not sent (the socket is not open)
  await accept(h, hello({ user: 'alice' }));
  assert.deepEqual(visibilityFrames(h.last().sent), ['hidden']);
});

test('document: null reports nothing', async (t) => {
  const h = await startClient(t, { document: null });
  await accept(h, hello({ user: 'alice' }));
  assert.deepEqual(visibilityFrames(h.last().sent), []);
});
