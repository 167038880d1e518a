import type { TicketEvent } from '@tikethet/domain';
import { createAssigneeTracker } from './assignees';

/** Just enough of an event for the tracker: its ticket, seq, type and (for ticket events) the assignee. */
function event(
  seq: number,
  type: 'ticket.created' | 'ticket.updated' | 'message.created',
  assigneeId: number | null = null,
  changes: string[] = ['assigneeId'],
): TicketEvent {
  const base = {
    id: 1000 + seq,
    ticketId: 7,
    seq,
    customerId: 1,
    internal: false,
    actorId: 2,
    createdAt: '',
  };
  if (type === 'message.created') return { ...base, type, data: { message: {} } } as unknown as TicketEvent;
  const ticket = { id: 7, assigneeId };
  return { ...base, type, data: type === 'ticket.created' ? { ticket } : { ticket, changes } } as TicketEvent;
}

describe('AssigneeTracker', () => {
  it('follows a ticket seen from its creation, event after event', () => {
    const tracker = createAssigneeTracker();
    expect(tracker.assigneeBefore(7, 2)).toBeUndefined();
    tracker.observe(event(1, 'ticket.created'));
    expect(tracker.assigneeBefore(7, 2)).toBeNull();
    tracker.observe(event(2, 'message.created'));
    tracker.observe(event(3, 'ticket.updated', 42));
    expect(tracker.assigneeBefore(7, 4)).toBe(42);
    // A change of something else leaves the assignee as it was.
    tracker.observe(event(4, 'ticket.updated', 42, ['status']));
    tracker.observe(event(5, 'ticket.updated', null));
    expect(tracker.assigneeBefore(7, 6)).toBeNull();
    // Seen again (a redelivery, the catch-up): nothing changes.
    tracker.observe(event(3, 'ticket.updated', 42));
    expect(tracker.assigneeBefore(7, 6)).toBeNull();
  });

  it('cannot say past a gap (an event not seen yet) until a read seeds it', () => {
    const tracker = createAssigneeTracker();
    tracker.observe(event(1, 'ticket.created'));
    // Seq 2 (an assignment, say) has not arrived: the message at 3 may be on an assigned ticket.
    tracker.observe(event(3, 'message.created'));
    expect(tracker.assigneeBefore(7, 3)).toBeUndefined();
    expect(tracker.assigneeBefore(7, 4)).toBeUndefined();
    tracker.seed(7, 3, 42);
    expect(tracker.assigneeBefore(7, 4)).toBe(42);
    // An older read does not take back what the stream has shown since.
    tracker.observe(event(4, 'ticket.updated', null));
    tracker.seed(7, 3, 42);
    expect(tracker.assigneeBefore(7, 5)).toBeNull();
  });

  it('forgets the least recently active tickets beyond its capacity', () => {
    const tracker = createAssigneeTracker(2);
    for (const ticketId of [1, 2, 3]) tracker.seed(ticketId, 5, null);
    expect(tracker.assigneeBefore(1, 6)).toBeUndefined();
    expect(tracker.assigneeBefore(2, 6)).toBeNull();
    expect(tracker.assigneeBefore(3, 6)).toBeNull();
  });
});
