/**
 * What the `/inform/` consumer tells an observer about its connections, so that presence and escalation
 * (src/reach) can follow them without the consumer knowing about either. Every method runs on the
 * connection's path: it must be cheap and must not throw (do slow work later, in batches).
 */

/** The view of one `/inform/` connection an observer gets. */
export interface ObservedConnection {
  /** The authenticated user (observers only hear of connections with a user). */
  readonly userId: string;
  /** Highest seq of the user's stream this connection has delivered (or its `hello.seq`). */
  readonly lastSeq: number;
  /** False after the client reported `{"type":"visibility","state":"hidden"}`, until it reports visible. */
  readonly visible: boolean;
}

/** Told about the authenticated connections of `/inform/`. */
export interface ConnectionObserver {
  /** The connection sent `hello` to its user. Called once, before any `delivered` for it. */
  opened(connection: ObservedConnection): void;
  /** The connection closed (after `opened`). Called once. */
  closed(connection: ObservedConnection): void;
  /** The page of the connection was shown or hidden. */
  visibility(connection: ObservedConnection): void;
  /**
   * Everything of `userId` up to `seq` has been written to a *visible* connection (also called at `opened`
   * and when a connection becomes visible, with its `lastSeq`). Absent: nothing is reported per delivery.
   */
  readonly delivered?: ((userId: string, seq: number) => void) | undefined;
}
