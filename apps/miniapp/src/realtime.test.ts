import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import {
  type ConnectionState,
  gatewayUrl,
  RealtimeClient,
  type ServerFrame,
  type SocketLike,
} from './realtime';

/** A tiny gateway double: records what clients send and lets the test push frames. */
function startServer() {
  const wss = new WebSocketServer({ port: 0 });
  const received: Record<string, unknown>[] = [];
  const sockets: WebSocket[] = [];
  let onFrame: (socket: WebSocket, frame: Record<string, unknown>) => void = (socket, frame) => {
    if (frame.type === 'hello') socket.send(JSON.stringify({ type: 'ready', user: { id: 1 } }));
  };
  wss.on('connection', (socket) => {
    sockets.push(socket);
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as Record<string, unknown>;
      received.push(frame);
      onFrame(socket, frame);
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    wss,
    url: `ws://127.0.0.1:${port}/ws`,
    received,
    sockets,
    last: () => sockets[sockets.length - 1] as WebSocket,
    setHandler(fn: typeof onFrame) {
      onFrame = fn;
    },
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
}

const factory = (url: string) => new WebSocket(url) as unknown as SocketLike;

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

function event(ticketId: number, seq: number, type = 'message.created') {
  return JSON.stringify({
    type: 'event',
    topic: `ticket:${ticketId}`,
    seq,
    event: { type, ticketId, seq, data: {} },
  });
}

describe('RealtimeClient', () => {
  let server: ReturnType<typeof startServer>;
  let client: RealtimeClient;

  beforeEach(() => {
    server = startServer();
  });
  afterEach(async () => {
    client?.close();
    for (const s of server.sockets) s.terminate();
    await server.close();
  });

  it('says hello first, then subscribes with the cursor once ready', async () => {
    client = new RealtimeClient({ url: server.url, initData: 'query_id=1&hash=abc', createSocket: factory });
    client.subscribe('ticket:7', { onFrame: () => {} }, { after: 3 });
    client.subscribe('queue', { onFrame: () => {} });
    client.connect();
    await until(() => server.received.length >= 3);
    expect(server.received[0]).toEqual({ type: 'hello', initData: 'query_id=1&hash=abc' });
    expect(server.received.slice(1)).toEqual(
      expect.arrayContaining([
        { type: 'subscribe', topic: 'ticket:7', after: 3 },
        { type: 'subscribe', topic: 'queue' },
      ]),
    );
    expect(client.state).toBe('open');
  });

  it('drops duplicates by (ticketId, seq) and advances the cursor', async () => {
    client = new RealtimeClient({ url: server.url, initData: 'x', createSocket: factory });
    const seqs: number[] = [];
    client.subscribe('ticket:5', { onFrame: (f) => seqs.push((f as { seq: number }).seq) }, { after: 1 });
    client.connect();
    await until(() => server.received.some((f) => f.type === 'subscribe'));
    const s = server.last();
    for (const seq of [1, 2, 3, 2, 3, 4]) s.send(event(5, seq));
    s.send(JSON.stringify({ type: 'presence', topic: 'ticket:5', ticketId: 5, viewers: [] }));
    await until(() => seqs.length >= 4);
    await new Promise((r) => setTimeout(r, 50));
    expect(seqs.filter((x) => x !== undefined)).toEqual([2, 3, 4]);
    expect(client.cursor(5)).toBe(4);
  });

  it('delivers the same event to two topics (queue and ticket) once each', async () => {
    client = new RealtimeClient({ url: server.url, initData: 'x', createSocket: factory });
    const queue: ServerFrame[] = [];
    const ticket: ServerFrame[] = [];
    client.subscribe('queue', { onFrame: (f) => queue.push(f) });
    client.subscribe('ticket:9', { onFrame: (f) => ticket.push(f) }, { after: 0 });
    client.connect();
    await until(() => server.received.filter((f) => f.type === 'subscribe').length === 2);
    const s = server.last();
    const payload = { type: 'ticket.updated', ticketId: 9, seq: 1, data: {} };
    s.send(JSON.stringify({ type: 'event', topic: 'queue', seq: 1, event: payload }));
    s.send(JSON.stringify({ type: 'event', topic: 'queue', seq: 1, event: payload }));
    s.send(JSON.stringify({ type: 'event', topic: 'ticket:9', seq: 1, event: payload }));
    await until(() => queue.length === 1 && ticket.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(queue).toHaveLength(1);
    expect(ticket).toHaveLength(1);
  });

  it('reconnects after the server drops it and resumes every topic from its cursor', async () => {
    client = new RealtimeClient({
      url: server.url,
      initData: 'x',
      createSocket: factory,
      baseDelayMs: 20,
      maxDelayMs: 50,
    });
    const states: ConnectionState[] = [];
    client.onState((s) => states.push(s));
    let resumed = 0;
    client.subscribe('ticket:3', { onFrame: () => {}, onResume: () => resumed++ }, { after: 0 });
    client.connect();
    await until(() => server.received.some((f) => f.type === 'subscribe'));
    server.last().send(event(3, 1));
    server.last().send(event(3, 2));
    await until(() => client.cursor(3) === 2);
    server.received.length = 0;
    server.last().close(1012, 'restart');
    await until(() => server.received.some((f) => f.type === 'subscribe'));
    expect(server.received[0]).toEqual({ type: 'hello', initData: 'x' });
    expect(server.received[1]).toEqual({ type: 'subscribe', topic: 'ticket:3', after: 2 });
    expect(states).toContain('reconnecting');
    expect(client.state).toBe('open');
    await until(() => resumed === 1);
  });

  it('stops on 4401 and reports unauthorized', async () => {
    server.setHandler((socket) => socket.close(4401, 'bad initData'));
    client = new RealtimeClient({ url: server.url, initData: 'bad', createSocket: factory, baseDelayMs: 10 });
    client.connect();
    await until(() => client.state === 'unauthorized');
    await new Promise((r) => setTimeout(r, 100));
    expect(server.received.filter((f) => f.type === 'hello')).toHaveLength(1);
  });

  it('keeps retrying with backoff while the gateway is down', async () => {
    const url = server.url;
    for (const s of server.sockets) s.terminate();
    await server.close();
    let attempts = 0;
    const counting = (u: string) => {
      attempts++;
      return factory(u);
    };
    client = new RealtimeClient({
      url,
      initData: 'x',
      createSocket: counting,
      baseDelayMs: 10,
      maxDelayMs: 20,
    });
    client.connect();
    await until(() => attempts >= 3);
    expect(client.state).toBe('connecting');
    server = startServer();
  });

  it("throttles typing, marks a note's typing internal, and unsubscribes when the last handler leaves", async () => {
    client = new RealtimeClient({
      url: server.url,
      initData: 'x',
      createSocket: factory,
      typingIntervalMs: 1000,
    });
    const off = client.subscribe('ticket:4', { onFrame: () => {} });
    client.connect();
    await until(() => client.state === 'open');
    client.typing(4);
    client.typing(4);
    // A note's typing is marked internal (staff only) and throttled apart from the reply's.
    client.typing(4, true);
    client.typing(4, true);
    off();
    await until(() => server.received.some((f) => f.type === 'unsubscribe'));
    expect(server.received.filter((f) => f.type === 'typing')).toEqual([
      { type: 'typing', ticketId: 4 },
      { type: 'typing', ticketId: 4, internal: true },
    ]);
    expect(server.received).toContainEqual({ type: 'unsubscribe', topic: 'ticket:4' });
  });

  it('routes presence and typing frames to the ticket topic', async () => {
    client = new RealtimeClient({ url: server.url, initData: 'x', createSocket: factory });
    const frames: ServerFrame[] = [];
    client.subscribe('ticket:8', { onFrame: (f) => frames.push(f) });
    client.connect();
    await until(() => server.received.some((f) => f.type === 'subscribe'));
    server.last().send(JSON.stringify({ type: 'typing', ticketId: 8, user: { id: 2, name: 'Анна' } }));
    server.last().send(
      JSON.stringify({
        type: 'event',
        topic: 'ticket:8',
        event: { type: 'presence', ticketId: 8, viewers: [] },
      }),
    );
    await until(() => frames.length === 2);
    expect(
      frames.map((f) => (f.type === 'event' ? (f as { event: { type: string } }).event.type : f.type)),
    ).toEqual(['typing', 'presence']);
  });
});

describe('gatewayUrl', () => {
  it('derives ws(s) URLs', () => {
    expect(gatewayUrl(undefined, { protocol: 'https:', host: 'a.example' })).toBe('wss://a.example/ws');
    expect(gatewayUrl(undefined, { protocol: 'http:', host: 'localhost:8080' })).toBe(
      'ws://localhost:8080/ws',
    );
    expect(gatewayUrl('https://gw.example/')).toBe('wss://gw.example/ws');
    expect(gatewayUrl('http://127.0.0.1:3001')).toBe('ws://127.0.0.1:3001/ws');
    expect(gatewayUrl('wss://gw.example/ws')).toBe('wss://gw.example/ws');
  });
});
