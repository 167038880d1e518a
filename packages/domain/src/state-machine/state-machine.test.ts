import { roles } from '../roles';
import { type TicketStatus, ticketStatuses } from '../ticket';
import {
  acceptsMessage,
  allowedTransitions,
  canTransition,
  isRateable,
  statusAfterClaim,
  statusAfterMessage,
} from './index';

/** The full expected table, written out independently of the implementation's tables. */
const staffAllowed = new Set([
  'new>open',
  'new>pending',
  'new>resolved',
  'new>closed',
  'open>pending',
  'open>resolved',
  'open>closed',
  'pending>open',
  'pending>resolved',
  'pending>closed',
  'resolved>open',
  'resolved>pending',
  'resolved>closed',
  'closed>open',
]);
const customerAllowed = new Set([
  'new>closed',
  'open>closed',
  'pending>closed',
  'resolved>open',
  'resolved>closed',
  'closed>open',
]);

describe('ticket state machine', () => {
  const cells = roles.flatMap((role) =>
    ticketStatuses.flatMap((from) => ticketStatuses.map((to) => [role, from, to] as const)),
  );

  it.each(cells)('%s: %s -> %s follows the table', (role, from, to) => {
    const table = role === 'customer' ? customerAllowed : staffAllowed;
    expect(canTransition(from, to, role)).toBe(table.has(`${from}>${to}`));
  });

  it('never allows a move back to new or to the same status', () => {
    for (const role of roles) {
      for (const from of ticketStatuses) {
        expect(allowedTransitions(from, role)).not.toContain('new');
        expect(allowedTransitions(from, role)).not.toContain(from);
      }
    }
  });

  it('reopens a pending or resolved ticket on a customer message, and opens a new one on the first agent reply', () => {
    const expected: Record<string, TicketStatus> = {
      'customer:new': 'new',
      'customer:open': 'open',
      'customer:pending': 'open',
      'customer:resolved': 'open',
      'agent:new': 'open',
      'agent:open': 'open',
      'agent:pending': 'pending',
      'agent:resolved': 'resolved',
      'note:new': 'new',
      'note:pending': 'pending',
      'system:resolved': 'resolved',
    };
    for (const [key, to] of Object.entries(expected)) {
      const [kind, from] = key.split(':') as ['customer', TicketStatus];
      expect(statusAfterMessage(from, kind)).toBe(to);
    }
  });

  it('refuses customer messages on a closed ticket only', () => {
    expect(acceptsMessage('closed', 'customer')).toBe(false);
    for (const s of ticketStatuses.filter((s) => s !== 'closed'))
      expect(acceptsMessage(s, 'customer')).toBe(true);
    expect(acceptsMessage('closed', 'agent')).toBe(true);
  });

  it('claims open a new ticket and keep others', () => {
    expect(statusAfterClaim('new')).toBe('open');
    expect(statusAfterClaim('pending')).toBe('pending');
  });

  it('rates only resolved or closed tickets', () => {
    expect(ticketStatuses.filter(isRateable)).toEqual(['resolved', 'closed']);
  });
});
