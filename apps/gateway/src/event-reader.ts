import type { TicketEvent } from '@tikethet/domain';

export const EVENT_PAGE = 500;

export type ReadEvents = (ticketId: number, afterSeq: number, limit: number) => Promise<TicketEvent[]>;

/**
 * Reads a page of a ticket's event log. Identical reads in flight are shared, so a gap seen by a thousand
 * sockets of one ticket costs one query.
 */
export function createEventReader(readEvents: ReadEvents, onRead: () => void) {
  const inFlight = new Map<string, Promise<TicketEvent[]>>();
  return (ticketId: number, afterSeq: number): Promise<TicketEvent[]> => {
    const key = `${ticketId}:${afterSeq}`;
    const running = inFlight.get(key);
    if (running) return running;
    onRead();
    const read = readEvents(ticketId, afterSeq, EVENT_PAGE).finally(() => inFlight.delete(key));
    inFlight.set(key, read);
    return read;
  };
}

export type EventReader = ReturnType<typeof createEventReader>;
