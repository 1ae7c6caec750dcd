export type { Transport, TransportHandlers, PreparedText } from './types.js';
export { prepareText, buildTextFrame } from './prepared.js';
export { WsTransport, corkUntilEndOfTurn, type WsTransportOptions, type FrameCounts } from './ws-transport.js';
export { createHeartbeat, type Heartbeat } from './heartbeat.js';
export { MemoryTransport, type OutputEvent } from './memory-transport.js';
