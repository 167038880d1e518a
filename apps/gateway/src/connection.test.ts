import type WebSocket from 'ws';
import { Connection } from './connection';
import { createGatewayMetrics } from './metrics';

function connection(): Connection {
  const socket = { readyState: 1, bufferedAmount: 0, send: () => undefined } as unknown as WebSocket;
  return new Connection(socket, { maxBufferedBytes: 1024, framesPerSecond: 10 }, createGatewayMetrics());
}

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
