import type { TicketEvent } from '@tikethet/domain';
import { TicketSubscription } from './ticket-subscription';

function event(seq: number): TicketEvent {
  return {
    id: seq,
    ticketId: 1,
    seq,
    customerId: 10,
    internal: false,
    actorId: 10,
    createdAt: new Date(0).toISOString(),
    type: 'message.created',
    data: { message: {} },
  } as unknown as TicketEvent;
}

function setup(cursor: number, log: number[]) {
  const delivered: number[] = [];
  const reads: number[] = [];
  const sub = new TicketSubscription({
    ticketId: 1,
    customerId: 10,
    cursor,
    read: async (_ticketId, after) => {
      reads.push(after);
      return log.filter((s) => s > after).map(event);
    },
    deliver: (e) => delivered.push(e.seq),
    onReadError: () => undefined,
  });
  return { sub, delivered, reads };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

it('delivers in-order live events without reading Postgres', async () => {
  const { sub, delivered, reads } = setup(3, []);
  sub.offer(event(4));
  sub.offer(event(5));
  sub.offer(event(5));
  sub.offer(event(2));
  await settle();
  expect(delivered).toEqual([4, 5]);
  expect(reads).toEqual([]);
});

it('fills a gap from the log and never repeats a seq', async () => {
  const { sub, delivered, reads } = setup(3, [4, 5, 6, 7]);
  sub.offer(event(6));
  sub.offer(event(7));
  sub.offer(event(4));
  await settle();
  expect(delivered).toEqual([4, 5, 6, 7]);
  expect(reads.length).toBeGreaterThan(0);
});

it('replays from the cursor and buffers live events that arrive meanwhile', async () => {
  const { sub, delivered } = setup(0, [1, 2, 3, 4]);
  sub.catchUp();
  sub.offer(event(4));
  sub.offer(event(5));
  await settle();
  expect(delivered).toEqual([1, 2, 3, 4, 5]);
});
