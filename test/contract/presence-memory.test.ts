/** The PresenceStore contract against the in-memory backend (one process). */
import { MemoryPresence } from '../../src/reach/index.js';
import { presenceContract } from './presence.js';

presenceContract('memory', async () => {
  const a = new MemoryPresence();
  return { a, b: a, shared: false };
});
