// The demo's webhook log: when TIDINGS_WEBHOOK_URL points at this server's /demo/api/webhook, a card in the
// sidebar lists the signed events that arrive (notification.unseen digests, user.online / user.offline).
const sidebar = document.querySelector('.sidebar');

function card() {
  const section = document.createElement('section');
  section.className = 'card';
  section.id = 'webhook-log';
  section.setAttribute('aria-labelledby', 'webhook-title');
  const title = document.createElement('h2');
  title.className = 'card-title';
  title.id = 'webhook-title';
  title.textContent = 'Webhook log';
  const note = document.createElement('p');
  note.className = 'muted small';
  note.textContent = 'Signed events Tidings posted to this demo: notifications left unseen, and presence changes.';
  const list = document.createElement('ul');
  list.className = 'webhook-items';
  section.append(title, note, list);
  sidebar?.append(section);
  return list;
}

function describe(item) {
  const e = item.event ?? {};
  const time = new Date(item.receivedAt).toLocaleTimeString();
  if (e.type === 'notification.unseen') return `${time} · ${e.user}: ${e.notifications.length} unseen (${e.notifications.map((n) => n.kind).join(', ')})`;
  return `${time} · ${e.type ?? 'event'} ${e.user ?? ''}`;
}

let list = null;
async function refresh() {
  try {
    const response = await fetch('/demo/api/webhook-log');
    if (!response.ok) return;
    const { configured, items } = await response.json();
    if (!configured) return;
    list ??= card();
    list.replaceChildren(...items.map((item) => {
      const li = document.createElement('li');
      li.textContent = describe(item);
      return li;
    }));
    if (items.length === 0) list.append(Object.assign(document.createElement('li'), { className: 'muted', textContent: 'Nothing yet: close the tab of a user who gets a notification.' }));
  } catch {
    // the demo server is restarting: try again on the next tick
  }
}
void refresh();
setInterval(refresh, 2000);
