import type { TicketEvent } from '@tikethet/domain';

const ticketFrames = new WeakMap<TicketEvent, Buffer>();
const queueFrames = new WeakMap<TicketEvent, Buffer>();

/** `{type:'event', topic, seq, event}`, encoded once per event and topic kind however many sockets get it. */
export function eventFrame(event: TicketEvent, topic: 'ticket' | 'queue'): Buffer {
  const cache = topic === 'queue' ? queueFrames : ticketFrames;
  let frame = cache.get(event);
  if (!frame) {
    const name = topic === 'queue' ? 'queue' : `ticket:${event.ticketId}`;
    frame = Buffer.from(JSON.stringify({ type: 'event', topic: name, seq: event.seq, event }));
    cache.set(event, frame);
  }
  return frame;
}

/** Event types the agents' queue follows. */
export const QUEUE_EVENT_TYPES: ReadonlySet<TicketEvent['type']> = new Set([
  'ticket.created',
  'ticket.updated',
  'message.created',
]);
