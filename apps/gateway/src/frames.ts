import type { TicketEvent } from '@tikethet/domain';
import { QUEUE_TOPIC, type ServerFrame, ticketTopic } from '@tikethet/protocol';

/** A frame as sent: the protocol package declares every one (its type checks what is built here). */
export function encodeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

const ticketFrames = new WeakMap<TicketEvent, Buffer>();
const queueFrames = new WeakMap<TicketEvent, Buffer>();

/** `{type:'event', topic, seq, event}`, encoded once per event and topic kind however many sockets get it. */
export function eventFrame(event: TicketEvent, topic: 'ticket' | 'queue'): Buffer {
  const cache = topic === 'queue' ? queueFrames : ticketFrames;
  let frame = cache.get(event);
  if (!frame) {
    const name = topic === 'queue' ? QUEUE_TOPIC : ticketTopic(event.ticketId);
    frame = Buffer.from(encodeFrame({ type: 'event', topic: name, seq: event.seq, event }));
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
