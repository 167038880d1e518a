import type WebSocket from 'ws';
import { Connection } from './connection';
import { createGatewayMetrics } from './metrics';

function connection(socket = { readyState: 1, bufferedAmount: 0, send: () => undefined }): Connection {
  return new Connection(
    socket as unknown as WebSocket,
    { maxBufferedBytes: 1024, framesPerSecond: 10 },
    createGatewayMetrics(),
  );
}

it('is writable under half of MAX_BUFFERED_BYTES and wakes its replays once the buffer drained', async () => {
  const socket = { readyState: 1, bufferedAmount: 600, send: () => undefined, close: () => undefined };
  const conn = connection(socket);
  expect(conn.writable).toBe(false);
  let woken = 0;
  const waits = [conn.whenWritable(), conn.whenWritable()].map((p) => p.then(() => (woken += 1)));
  await new Promise((resolve) => setTimeout(resolve, 30));
  expect(woken).toBe(0);
  socket.bufferedAmount = 100;
  await Promise.all(waits);
  expect(woken).toBe(2);
  expect(conn.writable).toBe(true);
  await conn.whenWritable();
});

it('wakes replays waiting on a socket that closed', async () => {
  const socket = {
    readyState: 1,
    bufferedAmount: 5000,
    send: () => undefined,
    close: () => undefined,
    once: () => undefined,
    terminate: () => undefined,
  };
  const conn = connection(socket);
  const wait = conn.whenWritable();
  conn.close(1000, 'bye', 'test');
  await wait;
  expect(conn.writable).toBe(false);
});

it('holds no follow state until it is first needed, and forgets it on release', () => {
  const conn = connection();
  expect(conn.tickets.size).toBe(0);
  const state = conn.followState();
  expect(conn.followState()).toBe(state);
  state.pendingTopics.set('ticket:1', 1);
  conn.dropFollows();
  expect(conn.followState().pendingTopics.size).toBe(0);
});

it('handles queued frames one after another, in order, and drops the queue once it is empty', async () => {
  const conn = connection();
  const order: string[] = [];
  let releaseFirst: () => void = () => undefined;
  conn.enqueue(
    () =>
      new Promise<void>((resolve) => {
        order.push('first started');
        releaseFirst = () => {
          order.push('first done');
          resolve();
        };
      }),
    () => undefined,
  );
  conn.enqueue(
    async () => {
      order.push('second');
    },
    () => undefined,
  );
  await new Promise((resolve) => setImmediate(resolve));
  expect(order).toEqual(['first started']);
  expect(conn.busy).toBe(true);
  releaseFirst();
  await new Promise((resolve) => setImmediate(resolve));
  expect(order).toEqual(['first started', 'first done', 'second']);
  expect(conn.busy).toBe(false);
});

it('reports a failing frame to its handler and goes on with the next one', async () => {
  const conn = connection();
  const errors: unknown[] = [];
  const done: string[] = [];
  conn.enqueue(
    async () => {
      throw new Error('boom');
    },
    (err) => errors.push(err),
  );
  conn.enqueue(
    async () => {
      done.push('next');
    },
    (err) => errors.push(err),
  );
  await new Promise((resolve) => setImmediate(resolve));
  expect(errors).toHaveLength(1);
  expect(done).toEqual(['next']);
  expect(conn.busy).toBe(false);
});
