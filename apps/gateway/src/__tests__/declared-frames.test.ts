import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { TestClient, undeclared } from './helpers/test-client';

// The check every gateway test file runs (helpers/declared-frames.ts) notices what the protocol lacks.
it('reports a frame type, an error code and a close code the protocol does not declare', async () => {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  server.on('connection', (socket) => {
    socket.send(JSON.stringify({ type: 'delivery', messageId: 1 }));
    socket.send(JSON.stringify({ type: 'error', code: 'teapot', message: 'no' }));
    socket.send(JSON.stringify({ type: 'pong' }));
    socket.close(4403, 'forbidden');
  });
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const client = await TestClient.open(`ws://127.0.0.1:${port}`);
    await client.closed();
    expect(undeclared.splice(0)).toEqual(['frame delivery', 'error teapot', 'close 4403']);
  } finally {
    server.close();
  }
});
