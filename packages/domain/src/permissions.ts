import type { TicketEvent } from './events';
import { type Actor, isStaff, type Role } from './roles';
import { canTransition } from './state-machine';
import type { Ticket, TicketStatus } from './ticket';

/**
 * Who may see and do what. Every transport (HTTP, WebSocket, bot) asks these functions and nothing else.
 * A ticket the actor may not see is reported as missing, never as forbidden.
 */
type TicketRef = Pick<Ticket, 'customerId'>;

export function canViewTicket(actor: Actor, ticket: TicketRef): boolean {
  return isStaff(actor.role) || ticket.customerId === actor.id;
}

export function canListAllTickets(actor: Actor): boolean {
  return isStaff(actor.role);
}

/** Internal notes are staff-only; everything else on a visible ticket is visible. */
export function canSeeMessage(actor: Actor, ticket: TicketRef, message: { internal: boolean }): boolean {
  return canViewTicket(actor, ticket) && (!message.internal || isStaff(actor.role));
}

export function canSeeEvent(actor: Actor, event: Pick<TicketEvent, 'customerId' | 'internal'>): boolean {
  return canSeeMessage(actor, event, event);
}

export function canPostMessage(actor: Actor, ticket: TicketRef, internal: boolean): boolean {
  if (internal) return isStaff(actor.role);
  return canViewTicket(actor, ticket);
}

/** Customers open tickets at low or normal priority; agents decide urgency (high, urgent). */
export function canOpenAtPriority(actor: Actor, priority: string | undefined): boolean {
  return priority === undefined || priority === 'low' || priority === 'normal' || isStaff(actor.role);
}

export interface TicketPatch {
  status?: TicketStatus;
  priority?: unknown;
  categoryId?: unknown;
  assigneeId?: unknown;
  tags?: unknown;
}

/** null when the patch is allowed; otherwise the field that is not the actor's to change. */
export function forbiddenPatchField(
  actor: Actor,
  ticket: Ticket,
  patch: TicketPatch,
): keyof TicketPatch | null {
  if (!canViewTicket(actor, ticket)) return 'status';
  if (isStaff(actor.role)) return null;
  for (const field of ['priority', 'categoryId', 'assigneeId', 'tags'] as const) {
    if (patch[field] !== undefined) return field;
  }
  return null;
}

/** Whether the actor may move the ticket to `to` (the state machine, for the actor's role, on a visible ticket). */
export function canChangeStatus(actor: Actor, ticket: Ticket, to: TicketStatus): boolean {
  return canViewTicket(actor, ticket) && canTransition(ticket.status, to, actor.role);
}

export function canClaim(actor: Actor): boolean {
  return isStaff(actor.role);
}

/** Only staff can be assignees. */
export function canBeAssigned(role: Role): boolean {
  return isStaff(role);
}

export function canRate(actor: Actor, ticket: TicketRef): boolean {
  return ticket.customerId === actor.id;
}

/** Categories: everyone reads the active ones (customers pick one for a new ticket); admins write. */
export function canReadCategories(_actor: Actor): boolean {
  return true;
}
export function canManageCategories(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** Canned replies: staff read shared and their own; admins manage shared ones and agents their own. */
export function canReadCannedReplies(actor: Actor): boolean {
  return isStaff(actor.role);
}
export function canManageCannedReply(actor: Actor, reply: { ownerId: number | null }): boolean {
  if (actor.role === 'admin') return true;
  return actor.role === 'agent' && reply.ownerId === actor.id;
}
export function canCreateSharedCannedReply(actor: Actor): boolean {
  return actor.role === 'admin';
}

export function canManageAgents(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** Dead letters (Telegram updates the bot could not process) hold anyone's raw messages: admins only. */
export function canViewDeadLetters(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** Tags on tickets, bulk actions and merges are the team's triage: staff. */
export function canTriage(actor: Actor): boolean {
  return isStaff(actor.role);
}

/** Renaming and merging tags changes every ticket that carries them: admins. */
export function canManageTags(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** Whether new customers must share their phone before a first ticket: an admin's setting. */
export function canManageContactStep(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** The customer card (history, phone, the team's note) is for staff; a customer never reads it, not even their own. */
export function canViewCustomer(actor: Actor): boolean {
  return isStaff(actor.role);
}

export function canViewStats(actor: Actor): boolean {
  return isStaff(actor.role);
}

export function canSubscribeQueue(actor: Actor): boolean {
  return isStaff(actor.role);
}

/** Typing from staff on a note draft is staff-only; everything else is seen by whoever sees the ticket. */
export function canSeeTyping(actor: Actor, signal: { customerId: number; internal: boolean }): boolean {
  return canSeeMessage(actor, signal, signal);
}

/** Presence (who is viewing) is an agents' collision warning: staff only. */
export function canSeePresence(actor: Actor, ticket: TicketRef): boolean {
  return isStaff(actor.role) && canViewTicket(actor, ticket);
}

/** Service levels (business hours, SLA targets, assignment, the out-of-hours reply): admins set and read them. */
export function canManageServiceLevels(actor: Actor): boolean {
  return actor.role === 'admin';
}

/** Availability (online / away for auto-assignment) is for staff. */
export function canSetAvailability(actor: Actor): boolean {
  return isStaff(actor.role);
}
