export * from './close-codes.js';
export * from './frames.js';
export * from './subprotocol.js';
export * from './limits.js';
