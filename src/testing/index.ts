export { WebsocketCommunicator, type CommunicatorOptions, type ConnectResult } from './communicator.js';
export { TestSocket, type Frame } from './ws-client.js';
export { startTestServer, startAppServer, TEST_API_KEY, TEST_JWT_SECRET, type TestServer, type AppServer } from './test-server.js';
