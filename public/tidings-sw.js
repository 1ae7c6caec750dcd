/*
 * Tidings service worker: shows the Web Push messages a Tidings server sends when a notification went
 * unseen (TIDINGS_ESCALATE_AFTER with TIDINGS_VAPID_*). Serve this file from your own origin, e.g. at
 * /tidings-sw.js, and register it: navigator.serviceWorker.register('/tidings-sw.js').
 * A message is JSON {title, body, tag, data: {user, ids}}; a click focuses an open tab or opens the scope.
 */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let message;
  try {
    message = event.data ? event.data.json() : {};
  } catch {
    message = { body: event.data ? event.data.text() : '' };
  }
  const title = typeof message.title === 'string' && message.title ? message.title : 'New notification';
  const options = { body: typeof message.body === 'string' ? message.body : '', tag: message.tag, data: message.data || {} };
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((tabs) => {
      if (tabs.length > 0) return tabs[0].focus();
      return self.clients.openWindow(self.registration.scope);
    }),
  );
});
