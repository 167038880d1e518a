import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readinessOf } from '@tikethet/config';
import { SERVER_FRAME_TYPES } from '@tikethet/protocol';
import { Registry } from 'prom-client';
import { createHttpHandler } from './http-handler';
import { clientFrameSchema } from './protocol';

it('serves the AsyncAPI document with every frame the gateway sends and every frame it accepts', async () => {
  const handler = createHttpHandler({ registry: new Registry(), ready: async () => readinessOf(true) });
  const server = createServer(handler).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/asyncapi.json`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/json']);
    const doc = (await res.json()) as {
      asyncapi: string;
      channels: { socket: { address: string } };
      components: { messages: Record<string, unknown> };
    };
    expect([doc.asyncapi, doc.channels.socket.address]).toEqual(['3.0.0', '/ws']);
    const accepted = clientFrameSchema.options.map((option) => `client.${option.shape.type.value}`);
    const sent = SERVER_FRAME_TYPES.map((type) => `server.${type}`);
    expect(Object.keys(doc.components.messages).sort()).toEqual([...accepted, ...sent].sort());
  } finally {
    server.close();
  }
});
