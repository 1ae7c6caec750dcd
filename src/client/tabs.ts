/**
 * Coordination between the tabs of one user through a BroadcastChannel. Every tab keeps its own socket (so
 * its badge is exact on its own); the channel decides which tab announces an item, and relays changes a tab
 * made over HTTP while its socket was down.
 *
 * Announcing: a tab that receives item `k` first checks whether another tab already claimed it. If not, it
 * claims it (with a rank: focused > visible > hidden, ties broken by tab id) and waits `delayMs`; a better
 * claim heard meanwhile wins. The winner announces and says so; a tab that receives `k` later (after a
 * replay, say) finds the claim and stays quiet. Claims are kept for the last {@link MAX_CLAIMS} items.
 */
import type { BroadcastChannelConstructor, BroadcastChannelLike, InboxChange, ReadChange } from './types.js';
import { trimOldest } from './util.js';

/** Messages between tabs. `c`: claim, `d`: done (announced), `u`: unread count, `r`: read change, `x`: other change. */
export type TabMessage =
  | { t: 'c'; k: string; tab: string; rank: number }
  | { t: 'd'; k: string }
  | { t: 'u'; count: number }
  | { t: 'r'; change: ReadChange }
  | { t: 'x'; change: InboxChange };

/** The multi-tab hub of one user. */
export interface TabHub {
  /** Runs `announce` in exactly one tab among those that call `claim` with the same key. */
  claim(key: string, announce: () => void): void;
  /** Tells the other tabs (not this one). */
  post(message: TabMessage): void;
  close(): void;
}

/** Options of {@link createTabHub}. */
export interface TabHubOptions {
  name: string;
  /** null: no channel (single-tab behaviour: announce everything at once). */
  BroadcastChannel: BroadcastChannelConstructor | null;
  delayMs: number;
  /** Higher announces first: e.g. 2 for a focused tab, 1 for a visible one. */
  rank(): number;
  /** Relayed `u` and `r` messages from other tabs. */
  onMessage(message: TabMessage): void;
}

const MAX_CLAIMS = 1000;

interface Claim {
  tab: string;
  rank: number;
  done?: boolean;
}

const beats = (a: Claim, b: Claim): boolean => a.rank > b.rank || (a.rank === b.rank && a.tab < b.tab);

/** A hub on the channel `name`. */
export function createTabHub(o: TabHubOptions): TabHub {
  const channel: BroadcastChannelLike | null = o.BroadcastChannel ? new o.BroadcastChannel(o.name) : null;
  const tab = Math.random().toString(36).slice(2);
  const claims = new Map<string, Claim>();
  let closed = false;
  const post = (message: TabMessage): void => channel?.postMessage(message);
  const remember = (key: string, claim: Claim): void => {
    claims.delete(key); // re-insert at the end: recently used claims are kept longest
    claims.set(key, claim);
    trimOldest(claims, MAX_CLAIMS);
  };

  function onClaim(key: string, theirs: Claim): void {
    const current = claims.get(key);
    if (current?.tab === tab && current.done) post({ t: 'd', k: key });
    else if (!current || beats(theirs, current)) remember(key, theirs);
  }

  if (channel) {
    channel.onmessage = (event) => {
      const m = event.data as TabMessage;
      if (m.t === 'c') onClaim(m.k, { tab: m.tab, rank: m.rank });
      else if (m.t === 'd') remember(m.k, { tab: '', rank: Infinity, done: true });
      else o.onMessage(m);
    };
  }

  return {
    claim(key, announce) {
      if (!channel) return announce();
      if (claims.has(key)) return;
      const mine: Claim = { tab, rank: o.rank() };
      remember(key, mine);
      post({ t: 'c', k: key, tab, rank: mine.rank });
      setTimeout(() => {
        if (closed || claims.get(key) !== mine) return;
        mine.done = true;
        post({ t: 'd', k: key });
        announce();
      }, o.delayMs);
    },
    post,
    close() {
      closed = true;
      if (channel) channel.onmessage = null;
      channel?.close();
    },
  };
}
