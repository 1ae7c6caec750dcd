// Field Notes, the Tidings demo page. Served with a CSP of script-src 'self': no inline scripts anywhere.
// Act as alice, bob or carol (one per tab: the choice lives in sessionStorage and in ?as=), post comments,
// follow people and send announcements through the demo API; the <tidings-bell> shows what arrives.
import { describeNotification, relativeTime } from '/static/tidings-bell.js';

const USERS = ['alice', 'bob', 'carol'];
const STORAGE_KEY = 'tidings-demo-user';
const bell = /** @type {HTMLElement & { getToken?: () => Promise<string> }} */ (document.getElementById('bell'));
const $ = (selector) => document.querySelector(selector);

/** The user this tab acts as: ?as= first, then this tab's last choice, then alice. */
function initialUser() {
  const fromUrl = new URLSearchParams(location.search).get('as');
  if (USERS.includes(fromUrl)) return fromUrl;
  const stored = sessionStorage.getItem(STORAGE_KEY);
  return USERS.includes(stored) ? stored : 'alice';
}

let user = initialUser();

/** Asks the server for a dev token for the current user (development mode only). */
async function fetchToken() {
  const response = await fetch('/demo/api/token', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ user }),
  });
  if (!response.ok) throw new Error(`token request failed (${response.status})`);
  const body = await response.json();
  return body.token;
}

/** The current user's token, shared by the bell and the demo API calls: `{ user, token: Promise }`. */
let cached = null;
function tokenEntry(fresh) {
  if (fresh || !cached || cached.user !== user) {
    const entry = { user, token: fetchToken() };
    entry.token.catch(() => {
      if (cached === entry) cached = null; // never keep a failed request
    });
    cached = entry;
  }
  return cached;
}

/**
 * The bell's token supplier, called before every (re)connect: each call asks the server, so a restarted
 * server with another secret is no problem. The API calls below reuse the latest token.
 */
const getToken = () => tokenEntry(true).token;

/** POST to the demo API as the current user; throws with the server's message on failure. */
async function api(path, body, retried = false) {
  const entry = tokenEntry(false);
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${await entry.token}` },
    body: JSON.stringify(body),
  });
  // A refused token (expired, or the server restarted with another secret): get a new one, once.
  if (response.status === 401 && !retried) {
    if (cached === entry) cached = null;
    return api(path, body, true);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.message || `request failed (${response.status})`);
  return answer;
}

// ---- toasts -------------------------------------------------------------------------------------------

function toast(title, detail, { error = false, ttl = 6000 } = {}) {
  const box = document.createElement('div');
  box.className = error ? 'toast toast-error' : 'toast';
  const text = document.createElement('div');
  text.className = 'toast-text';
  const strong = document.createElement('strong');
  strong.textContent = title;
  text.append(strong);
  if (detail) {
    const span = document.createElement('span');
    span.textContent = detail;
    text.append(span);
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.className = 'toast-close';
  close.setAttribute('aria-label', 'Dismiss');
  close.textContent = '×';
  const dismiss = () => {
    clearTimeout(timer);
    box.classList.add('leaving');
    setTimeout(() => box.remove(), 200);
  };
  // The countdown pauses while the pointer or the keyboard is on the toast, and resumes with what was left.
  let left = ttl;
  let started = Date.now();
  let timer = setTimeout(dismiss, left);
  const pause = () => {
    clearTimeout(timer);
    left -= Date.now() - started;
  };
  const resume = () => {
    if (box.matches(':hover') || box.contains(document.activeElement)) return;
    started = Date.now();
    timer = setTimeout(dismiss, Math.max(left, 1500));
  };
  box.addEventListener('pointerenter', pause);
  box.addEventListener('pointerleave', resume);
  box.addEventListener('focusin', pause);
  box.addEventListener('focusout', () => setTimeout(resume));
  close.addEventListener('click', dismiss);
  box.append(text, close);
  const stack = $('#toasts');
  stack.append(box);
  while (stack.children.length > 3) stack.firstElementChild?.remove();
}

const fail = (what) => (err) => toast(`Could not ${what}`, err instanceof Error ? err.message : String(err), { error: true });

// ---- who am I ---------------------------------------------------------------------------------------

function renderUser() {
  for (const button of document.querySelectorAll('.who')) {
    button.setAttribute('aria-pressed', String(button.dataset.user === user));
  }
  const avatar = $('#me-avatar');
  avatar.textContent = user[0].toUpperCase();
  avatar.className = `avatar avatar-${user} me-avatar`;
  for (const el of document.querySelectorAll('.as-user')) el.textContent = user;
  for (const button of document.querySelectorAll('.follow')) {
    const self = button.dataset.target === user;
    button.disabled = self;
    button.textContent = self ? 'You' : 'Follow';
    button.setAttribute('aria-pressed', 'false');
  }
  $('#comment-text').placeholder = user === 'alice' ? 'Reply to your readers…' : 'Say something nice to alice…';
  document.title = `Field Notes · as ${user}`;
}

function switchTo(next) {
  if (!USERS.includes(next)) return;
  user = next;
  sessionStorage.setItem(STORAGE_KEY, user);
  const url = new URL(location.href);
  url.searchParams.set('as', user);
  history.replaceState(null, '', url);
  renderUser();
  bell.getToken = getToken; // a new supplier: the bell reconnects as the new user
}

// ---- actions ----------------------------------------------------------------------------------------

/** Appends a comment; `createdAt` (ISO) for stored ones, none for one just posted (animated in). */
function addComment(author, text, createdAt) {
  const item = document.createElement('li');
  item.className = createdAt ? 'comment' : 'comment is-new';
  const avatar = document.createElement('span');
  avatar.className = USERS.includes(author) ? `avatar avatar-${author}` : 'avatar';
  avatar.setAttribute('aria-hidden', 'true');
  avatar.textContent = author[0].toUpperCase();
  const body = document.createElement('div');
  body.className = 'comment-body';
  const meta = document.createElement('div');
  meta.className = 'comment-meta';
  const name = document.createElement('strong');
  name.textContent = author;
  const when = document.createElement('span');
  when.className = 'muted';
  when.textContent = ` · ${(createdAt && relativeTime(createdAt)) || 'just now'}`;
  meta.append(name, when);
  const paragraph = document.createElement('p');
  paragraph.textContent = text; // text only: a comment is never parsed as HTML
  body.append(meta, paragraph);
  item.append(avatar, body);
  $('#comment-list').append(item);
  $('#comment-count').textContent = String($('#comment-list').children.length);
}

/** The comments posted since the server started (the demo server keeps the last 100 in memory). */
async function loadComments() {
  const response = await fetch('/demo/api/article', { headers: { accept: 'application/json' } });
  if (!response.ok) return;
  const article = await response.json();
  for (const c of Array.isArray(article.comments) ? article.comments : []) {
    if (typeof c?.from === 'string' && typeof c.text === 'string') addComment(c.from, c.text, c.createdAt);
  }
}

async function withBusy(button, work) {
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

$('#comment-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const field = $('#comment-text');
  const text = field.value.trim();
  if (!text) return;
  const submit = event.currentTarget.querySelector('button[type="submit"]');
  void withBusy(submit, async () => {
    await api('/demo/api/comment', { text });
    addComment(user, text);
    field.value = '';
  }).catch(fail('post the comment'));
});

$('#announce-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const field = $('#announce-text');
  const text = field.value.trim();
  if (!text) return;
  const submit = event.currentTarget.querySelector('button[type="submit"]');
  void withBusy(submit, async () => {
    await api('/demo/api/announce', { text });
    field.value = '';
  }).catch(fail('send the announcement'));
});

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const who = target?.closest('.who');
  if (who) return switchTo(who.dataset.user);
  const follow = target?.closest('.follow');
  if (follow && !follow.disabled && follow.getAttribute('aria-pressed') !== 'true') {
    void withBusy(follow, async () => {
      await api('/demo/api/follow', { target: follow.dataset.target });
      for (const twin of document.querySelectorAll(`.follow[data-target="${follow.dataset.target}"]`)) {
        twin.textContent = 'Following';
        twin.setAttribute('aria-pressed', 'true');
      }
    }).catch(fail(`follow ${follow.dataset.target}`));
  }
});

// ---- the bell ---------------------------------------------------------------------------------------

bell.addEventListener('tidings-announce', (event) => {
  const announcement = event.detail;
  const item = announcement.type === 'notification' ? announcement.notification : announcement.broadcast;
  // The sender of an announcement saw it go out: no toast of their own words.
  if (item.kind === 'announcement' && item.data.from === user) return;
  const { text, detail } = describeNotification(item.kind, item.data);
  toast(text, detail);
});

bell.addEventListener('tidings-state', (event) => {
  const conn = $('#conn');
  conn.dataset.state = event.detail;
  $('#conn-text').textContent = event.detail === 'open' ? 'live' : event.detail;
});

renderUser();
switchTo(user);
loadComments().catch(() => undefined); // the static comments are enough when the demo API is down
