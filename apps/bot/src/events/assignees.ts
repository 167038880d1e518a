import type { TicketEvent } from '@tikethet/domain';

/** How many tickets the tracker remembers (the least recently active are forgotten first). */
const TRACKED_TICKETS = 50_000;

/**
 * Who is assigned to each recently active ticket, learned from the event stream the bot consumes anyway, so
 * that a customer's message on an unassigned ticket — most of the bot's events — needs no database read to
 * know there is nobody to tell.
 *
 * A ticket's events have gap-free seqs. The tracker holds the assignee as of `throughSeq`, having seen every
 * event up to it; an event right after advances it (and an assignee change changes it), one that leaves a
 * gap (out of order, missed while the bus was down) makes it stop there until a read seeds it again. So it
 * never answers for a seq it has not seen all the way to: `assigneeBefore` is either right or unknown.
 */
export interface AssigneeTracker {
  /** Takes in one event (any type; seen before or not — idempotent). */
  observe(event: TicketEvent): void;
  /**
   * The assignee (null: none) as of the event before `seq` or later — what a read now would say at the
   * latest — or undefined when the tracker has not seen the ticket that far.
   */
  assigneeBefore(ticketId: number, seq: number): number | null | undefined;
  /** What a read found: the ticket's assignee with every event up to `lastSeq` applied. */
  seed(ticketId: number, lastSeq: number, assigneeId: number | null): void;
}

interface Known {
  throughSeq: number;
  assigneeId: number | null;
}

export function createAssigneeTracker(capacity = TRACKED_TICKETS): AssigneeTracker {
  const tickets = new Map<number, Known>();
  const remember = (ticketId: number, known: Known) => {
    // Re-inserted, so the Map's order is least recently active first.
    tickets.delete(ticketId);
    tickets.set(ticketId, known);
    if (tickets.size > capacity) {
      const oldest = tickets.keys().next();
      if (!oldest.done) tickets.delete(oldest.value);
    }
  };
  return {
    observe(event) {
      if (event.type === 'ticket.created') {
        if (event.seq === 1 && !tickets.has(event.ticketId))
          remember(event.ticketId, { throughSeq: 1, assigneeId: event.data.ticket.assigneeId });
        return;
      }
      const known = tickets.get(event.ticketId);
      if (!known || event.seq !== known.throughSeq + 1) return;
      const assigned = event.type === 'ticket.updated' && event.data.changes.includes('assigneeId');
      remember(event.ticketId, {
        throughSeq: event.seq,
        assigneeId: assigned ? event.data.ticket.assigneeId : known.assigneeId,
      });
    },
    assigneeBefore(ticketId, seq) {
      const known = tickets.get(ticketId);
      return known && known.throughSeq >= seq - 1 ? known.assigneeId : undefined;
    },
    seed(ticketId, lastSeq, assigneeId) {
      const known = tickets.get(ticketId);
      if (!known || known.throughSeq < lastSeq) remember(ticketId, { throughSeq: lastSeq, assigneeId });
    },
  };
}
