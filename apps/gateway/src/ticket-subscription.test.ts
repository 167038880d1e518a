import type { TicketEvent } from '@tikethet/domain';
import { EVENT_PAGE } from './event-reader';
import { TicketSubscription, type TicketSubscriptionOptions } from './ticket-subscription';

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

function setup(
  cursor: number,
  log: number[],
  pace?: TicketSubscriptionOptions['pace'],
  onDeliver: (seq: number) => void = () => undefined,
) {
  const delivered: number[] = [];
  const reads: number[] = [];
  const sub = new TicketSubscription({
    ticketId: 1,
    customerId: 10,
    cursor,
    read: async (_ticketId, after) => {
      reads.push(after);
      return log
        .filter((s) => s > after)
        .slice(0, EVENT_PAGE)
        .map(event);
    },
    deliver: (e) => {
      delivered.push(e.seq);
      onDeliver(e.seq);
    },
    ...(pace ? { pace } : {}),
    onReadError: () => undefined,
  });
  return { sub, delivered, reads };
}

/** A socket's flow control whose buffer the test fills and drains by hand. */
function fakePace() {
  const waiting: Array<() => void> = [];
  const pace = {
    writable: true,
    closed: false,
    whenWritable: () => new Promise<void>((resolve) => waiting.push(resolve)),
    drain() {
      pace.writable = true;
      for (const wake of waiting.splice(0)) wake();
    },
  };
  return pace;
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

it('sends a replay only while the socket is writable and reads the next page once the last went out', async () => {
  const log = Array.from({ length: 1200 }, (_, i) => i + 1);
  const pace = fakePace();
  // Every 100 frames fill the socket's buffer.
  const { sub, delivered, reads } = setup(0, log, pace, (seq) => {
    if (seq % 100 === 0) pace.writable = false;
  });
  sub.catchUp();
  await settle();
  expect(delivered).toHaveLength(100);
  expect(reads).toEqual([0]);
  sub.offer(event(1201));
  for (let round = 0; round < 20 && delivered.length < 1201; round++) {
    pace.drain();
    await settle();
    // No page is read before the one before it went out.
    expect(reads.length).toBe(Math.floor(delivered.length / EVENT_PAGE) + 1);
  }
  expect(delivered).toEqual([...log, 1201]);
  expect(reads).toEqual([0, 500, 1000]);
});

it('stops a paced replay for good when its socket closed', async () => {
  const pace = fakePace();
  const { sub, delivered } = setup(0, [1, 2, 3, 4], pace, () => {
    pace.writable = false;
  });
  sub.catchUp();
  await settle();
  expect(delivered).toEqual([1]);
  pace.closed = true;
  pace.drain();
  await settle();
  sub.offer(event(2));
  await settle();
  expect(delivered).toEqual([1]);
});
