/**
 * `notificationApp`: the `/inform/` WebSocket application, a {@link NotificationConsumer} per connection plus
 * what the connections of a process share (the per-user connection count, the set of open connections and
 * the catch-up after a layer outage).
 */
import { CloseCode } from '../protocol/close-codes.js';
import { INFORM_PROTOCOL } from '../protocol/subprotocol.js';
import type { SocketApp } from '../consumer/index.js';
import { silentLogger } from '../log/index.js';
import { catchUpAfterRecovery } from './catch-up.js';
import { NotificationConsumer } from './notification-consumer.js';
import { tokenExpiries, type NotificationDeps } from './notification-deps.js';
import { Slots } from './slots.js';

/**
 * The `/inform/` application: closes an anonymous connection at once with 4501 unless `allowAnonymous`
 * (whatever authenticator ran), refuses a user over the per-user connection limit with 429, then runs a
 * NotificationConsumer. With `deps.layer`, every open connection catches up from the inbox after the layer
 * recovers from an outage (see catch-up.ts).
 * Put it behind origin and auth middleware.
 */
export function notificationApp(options: NotificationDeps): SocketApp {
  // The per-user connection count: a slot is taken here and given back once by the connection's disconnect.
  const deps: NotificationDeps = { ...options, live: options.live ?? new Set(), expiries: options.expiries ?? tokenExpiries(), slots: new Slots() };
  const live = deps.live as Set<NotificationConsumer>;
  if (deps.layer) catchUpAfterRecovery(deps.layer, () => live, deps.log ?? silentLogger());
  return (scope, handshake) => {
    const id = scope.user?.id;
    if (id === undefined && !deps.settings.allowAnonymous) {
      // As the auth middleware answers /inform/: a close code a browser can read, not an HTTP status.
      handshake.accept(scope.subprotocols.includes(INFORM_PROTOCOL) ? INFORM_PROTOCOL : undefined).close(CloseCode.UNAUTHORIZED, 'UNAUTHORIZED');
      return;
    }
    if (id !== undefined && !deps.slots!.take(id, deps.settings.maxConnectionsPerUser)) {
      handshake.reject('TOO_MANY_CONNECTIONS', 'too many connections for this user');
      return;
    }
    const consumer = new NotificationConsumer(scope, handshake, deps);
    // Live from the start: a catch-up after a layer recovery must reach a connection still in connect()
    // (it queues behind it). `disconnect` removes it.
    live.add(consumer);
    return consumer.run().then(() => {
      if (!consumer.accepted) consumer.disconnect();
    });
  };
}
