/**
 * What the bell says about its connection: one of a few distinct situations, each with its own words,
 * whether "Retry now" is offered, and what the bell button's accessible name adds.
 */
import type { TidingsState } from '../client/index.js';
import type { NotificationListView } from './list-view.js';
import type { BellParts } from './shadow.js';
import type { BellStrings } from './strings.js';

/** The situation the status line describes. */
export type Situation = 'ok' | 'connecting' | 'reconnecting' | 'sign-in' | 'server-error' | 'load-failed';

/**
 * The situation from the client's state, the last error code since the connection was last open, whether the
 * bell has been connected before, and whether the last page load failed.
 * - `offline` after a failed token request (the app's token endpoint answered 5xx) or `closed` by the server
 *   is a server error, not a lost network;
 * - `unauthorized` (the token endpoint said 401/403, or Tidings refused the token) needs a sign-in.
 */
export function situationOf(state: TidingsState | null, lastError: string | undefined, everOpen: boolean, loadFailed: boolean): Situation {
  switch (state) {
    case 'unauthorized':
      return 'sign-in';
    case 'closed':
      return 'server-error';
    case 'offline':
      return lastError === 'TOKEN_FAILED' ? 'server-error' : 'reconnecting';
    case 'connecting':
      return lastError === 'TOKEN_FAILED' ? 'server-error' : everOpen ? 'reconnecting' : 'connecting';
    default:
      return loadFailed ? 'load-failed' : 'ok';
  }
}

/** The status line's text ('' = hidden). */
export function statusText(situation: Situation, strings: BellStrings): string {
  return {
    ok: '',
    connecting: strings.connecting,
    reconnecting: strings.reconnecting,
    'sign-in': strings.signIn,
    'server-error': strings.serverError,
    'load-failed': strings.loadFailed,
  }[situation];
}

/** The short state word in the bell button's name ('' when all is well). */
export function stateWord(situation: Situation, strings: BellStrings): string {
  if (situation === 'reconnecting') return strings.reconnecting.replace(/…$/, '').toLowerCase();
  if (situation === 'sign-in' || situation === 'server-error') return statusText(situation, strings).replace(/[.:].*$/, '').toLowerCase();
  return '';
}

/** Whether the connection is in trouble (announced when it starts, and when it ends). */
export function isTrouble(situation: Situation): boolean {
  return situation === 'reconnecting' || situation === 'sign-in' || situation === 'server-error';
}

/**
 * Puts `situation` on the panel's status line (its "Retry now" / "Retry" button updated in place: a button
 * rebuilt on every change could not be clicked while retries go on) and in the bell button's name.
 */
export function showStatus(parts: BellParts, situation: Situation, strings: BellStrings, o: { notice: string; count: number; listLoaded: boolean }): void {
  const text = situation === 'connecting' && o.listLoaded ? '' : statusText(situation, strings) || o.notice;
  if (parts.statusText.textContent !== text) parts.statusText.textContent = text;
  parts.status.hidden = !text;
  parts.status.classList.toggle('warn', situation !== 'connecting' && text !== '');
  parts.retry.hidden = !isTrouble(situation) && situation !== 'load-failed';
  parts.retry.textContent = isTrouble(situation) ? strings.retryNow : strings.retry;
  parts.button.setAttribute('aria-label', strings.bellName(o.count, stateWord(situation, strings)));
  parts.badge.setAttribute('aria-label', strings.badge(o.count));
}

/**
 * What can be clicked: the list and the head's actions only while connected, and only when they would do
 * something. Focus on a button that becomes disabled moves to the panel.
 */
export function enableActions(parts: BellParts, view: NotificationListView | undefined, o: { online: boolean; count: number; focused: Element | null | undefined }): void {
  view?.setEnabled(o.online);
  const disable = !o.online || (o.count === 0 && !view?.hasUnread);
  if (disable && o.focused === parts.markAll) parts.panel.focus();
  parts.markAll.disabled = disable;
  parts.archiveRead.disabled = !o.online || !view?.hasRead;
}
