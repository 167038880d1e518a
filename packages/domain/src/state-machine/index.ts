import type { MessageKind } from '../message';
import { isStaff, type Role } from '../role-basics';
import type { TicketStatus } from '../ticket';

/**
 * The ticket state machine: the only place that decides which status change is allowed for whom.
 *
 *   new -> open -> pending -> resolved -> closed
 * Staff move a ticket anywhere forward or back along that line (never back to `new`); customers may close
 * their own ticket at any point and reopen a resolved or closed one.
 */
const staffMoves: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['open', 'pending', 'resolved', 'closed'],
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'pending', 'closed'],
  closed: ['open'],
};

const customerMoves: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['closed'],
  open: ['closed'],
  pending: ['closed'],
  resolved: ['open', 'closed'],
  closed: ['open'],
};

export function allowedTransitions(from: TicketStatus, role: Role): readonly TicketStatus[] {
  return isStaff(role) ? staffMoves[from] : customerMoves[from];
}

export function canTransition(from: TicketStatus, to: TicketStatus, role: Role): boolean {
  return allowedTransitions(from, role).includes(to);
}

/** Whether a message of this kind may be added to a ticket in this status. */
export function acceptsMessage(status: TicketStatus, kind: MessageKind): boolean {
  if (kind === 'customer') return status !== 'closed';
  return true;
}

/**
 * The status a ticket takes when a message is added: a customer's message on a pending or resolved ticket
 * reopens it; the first agent reply on a new ticket opens it. Notes and system lines change nothing.
 */
export function statusAfterMessage(status: TicketStatus, kind: MessageKind): TicketStatus {
  if (kind === 'customer' && (status === 'pending' || status === 'resolved')) return 'open';
  if (kind === 'agent' && status === 'new') return 'open';
  return status;
}

/** Claiming takes an unassigned ticket; a new one becomes open. */
export function statusAfterClaim(status: TicketStatus): TicketStatus {
  return status === 'new' ? 'open' : status;
}

export function isRateable(status: TicketStatus): boolean {
  return status === 'resolved' || status === 'closed';
}

export function isActive(status: TicketStatus): boolean {
  return status !== 'resolved' && status !== 'closed';
}
