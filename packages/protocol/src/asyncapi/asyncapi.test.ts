import { CLIENT_FRAME_TYPES, CloseCode, SERVER_FRAME_TYPES } from '../index';
import { clientFrameSchema, clientFrameTypes, serverFrameSchemas } from '../schemas';
import { asyncApiDocument } from '.';

const doc = asyncApiDocument();

/** Every `$ref` in the document, resolved against it (undefined when it points nowhere). */
function refs(node: unknown, found: [string, unknown][] = []): [string, unknown][] {
  if (Array.isArray(node)) for (const item of node) refs(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        const target = value
          .replace(/^#\//, '')
          .split('/')
          .reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], doc);
        found.push([value, target]);
      } else refs(value, found);
    }
  }
  return found;
}

describe('the AsyncAPI document', () => {
  it('is AsyncAPI 3.0 with one channel at /ws and an operation each way', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info).toEqual(expect.objectContaining({ title: expect.any(String), version: '0.1.0' }));
    expect(doc.channels.socket.address).toBe('/ws');
    expect(doc.operations.receiveClientFrame.action).toBe('receive');
    expect(doc.operations.sendServerFrame.action).toBe('send');
  });

  it('resolves every $ref, and each operation names only messages of its channel', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(SERVER_FRAME_TYPES.length + CLIENT_FRAME_TYPES.length);
    for (const [ref, target] of all) expect([ref, target]).toEqual([ref, expect.any(Object)]);
    for (const operation of Object.values(doc.operations)) {
      for (const { $ref } of operation.messages) expect($ref).toMatch(/^#\/channels\/socket\/messages\//);
    }
  });

  it('has a message for every frame the gateway sends and every frame its schema accepts, and no other', () => {
    const sent = doc.operations.sendServerFrame.messages.map((m) => m.$ref.split('/').pop());
    const received = doc.operations.receiveClientFrame.messages.map((m) => m.$ref.split('/').pop());
    expect([...sent].sort()).toEqual(SERVER_FRAME_TYPES.map((t) => `server.${t}`).sort());
    expect([...received].sort()).toEqual(clientFrameTypes.map((t) => `client.${t}`).sort());
    expect([...clientFrameTypes].sort()).toEqual([...CLIENT_FRAME_TYPES].sort());
    expect(Object.keys(doc.components.messages).sort()).toEqual([...sent, ...received].sort());
    expect(Object.keys(doc.channels.socket.messages).sort()).toEqual([...sent, ...received].sort());
  });

  it('gives each message an object payload whose type is fixed to the frame type', () => {
    for (const [key, message] of Object.entries(doc.components.messages)) {
      const payload = message.payload as {
        type: string;
        properties: { type: { const: string } };
        required: string[];
      };
      expect([key, payload.type, payload.properties.type.const]).toEqual([key, 'object', key.split('.')[1]]);
      expect(payload.required).toContain('type');
      expect(payload).not.toHaveProperty('$schema');
    }
    const subscribe = doc.components.messages['client.subscribe']?.payload as { properties: object };
    expect(subscribe.properties).toEqual(
      expect.objectContaining({ topic: expect.objectContaining({ type: 'string', maxLength: 64 }) }),
    );
  });

  it('lists every close code', () => {
    expect(Object.keys(doc['x-close-codes']).map(Number).sort()).toEqual(Object.values(CloseCode).sort());
  });
});

describe('the frame schemas', () => {
  it('accept frames of the declared shapes and refuse others', () => {
    expect(clientFrameSchema.parse({ type: 'subscribe', topic: 'ticket:7', after: 3 })).toEqual({
      type: 'subscribe',
      topic: { kind: 'ticket', ticketId: 7, name: 'ticket:7' },
      after: 3,
    });
    expect(clientFrameSchema.safeParse({ type: 'subscribe', topic: 'ticket:0' }).success).toBe(false);
    expect(clientFrameSchema.safeParse({ type: 'delivery' }).success).toBe(false);
    expect(serverFrameSchemas.error.safeParse({ type: 'error', code: 'teapot', message: 'x' }).success).toBe(
      false,
    );
    expect(
      serverFrameSchemas.presence.safeParse({ type: 'presence', topic: 'queue', ticketId: 1, viewers: [] })
        .success,
    ).toBe(false);
  });
});
