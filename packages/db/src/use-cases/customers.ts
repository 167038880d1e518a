import {
  type Actor,
  ConflictError,
  type ContactStep,
  CUSTOMER_TICKETS_MAX,
  type CustomerCard,
  canManageContactStep,
  canTriage,
  canViewCustomer,
  contactStepSchema,
  ForbiddenError,
  isOwnContact,
  NotFoundError,
  parseInput,
  phoneDigits,
  type Ticket,
  updateCustomerInputSchema,
} from '@tikethet/domain';
import { desc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { iso, isoOrNull, toUser } from '../mappers';
import { kvState, ratings, tickets, users } from '../schema';
import { changeTicket, lockTicket, type TxScope } from '../scope';

/**
 * The customer card (staff only): the Telegram profile, the shared phone, the team's note, and the newest
 * CUSTOMER_TICKETS_MAX tickets with their rating and its comment, read through the customer's list index.
 */
export async function getCustomer(q: Queryable, actor: Actor, customerId: number): Promise<CustomerCard> {
  if (!canViewCustomer(actor)) throw new ForbiddenError('the customer card is for agents');
  const found = await q.select().from(users).where(eq(users.id, customerId));
  const user = found[0];
  if (!user) throw new NotFoundError('customer');
  const rows = await q
    .select({
      id: tickets.id,
      subject: tickets.subject,
      status: tickets.status,
      tags: tickets.tags,
      createdAt: tickets.createdAt,
      lastMessageAt: tickets.lastMessageAt,
      mergedIntoId: tickets.mergedIntoId,
      rating: ratings.score,
      ratingComment: ratings.comment,
    })
    .from(tickets)
    .leftJoin(ratings, eq(ratings.ticketId, tickets.id))
    .where(eq(tickets.customerId, customerId))
    .orderBy(desc(tickets.lastMessageAt), desc(tickets.id))
    .limit(CUSTOMER_TICKETS_MAX);
  const totals = await q
    .select({
      count: sql<number>`count(*)::int`,
      avg: sql<number | null>`avg(${tickets.rating})::float`,
    })
    .from(tickets)
    .where(eq(tickets.customerId, customerId));
  return {
    ...toUser(user),
    phone: user.phone,
    phoneVerified: user.phoneVerified,
    note: user.note,
    noteUpdatedAt: isoOrNull(user.noteUpdatedAt),
    noteUpdatedBy: user.noteUpdatedBy,
    ticketCount: totals[0]?.count ?? 0,
    averageRating: totals[0]?.avg ?? null,
    tickets: rows.map((r) => ({
      ...r,
      createdAt: iso(r.createdAt),
      lastMessageAt: iso(r.lastMessageAt),
      rating: r.rating ?? null,
      ratingComment: r.ratingComment ?? null,
    })),
  };
}

/** Staff write the note about a customer (it stays with the customer across tickets); "" or null clears it. */
export async function updateCustomer(
  scope: TxScope,
  actor: Actor,
  customerId: number,
  rawInput: unknown,
): Promise<CustomerCard> {
  if (!canViewCustomer(actor)) throw new ForbiddenError('the customer card is for agents');
  const { note } = parseInput(updateCustomerInputSchema, rawInput);
  const updated = await scope.tx
    .update(users)
    .set({ note: note || null, noteUpdatedAt: sql`now()`, noteUpdatedBy: actor.id })
    .where(eq(users.id, customerId))
    .returning({ id: users.id });
  if (!updated[0]) throw new NotFoundError('customer');
  return getCustomer(scope.tx, actor, customerId);
}

/**
 * A contact the sender shared with the bot. Only their own (the contact's user_id is the sender's id) is
 * stored, as verified; anything else answers false and is the caller's to keep as a plain message.
 */
export async function recordOwnContact(
  scope: TxScope,
  senderId: number,
  contact: { user_id?: number; phone_number: string },
): Promise<boolean> {
  if (!isOwnContact(senderId, contact)) return false;
  const phone = phoneDigits(contact.phone_number);
  if (phone.length < 5 || phone.length > 20) return false;
  const updated = await scope.tx
    .update(users)
    .set({ phone, phoneVerified: true, updatedAt: sql`now()` })
    .where(eq(users.id, senderId))
    .returning({ id: users.id });
  return updated.length === 1;
}

/**
 * An agent asks the ticket's customer for their phone: a `ticket.updated` event (changes `contactRequested`)
 * on which the bot sends the customer a `request_contact` keyboard in their language. 409 when the customer
 * never wrote to the bot (there is no chat to ask in).
 */
export async function requestContact(scope: TxScope, actor: Actor, ticketId: number): Promise<Ticket> {
  if (!canTriage(actor)) throw new ForbiddenError('asking for a contact is for agents');
  const row = await lockTicket(scope, ticketId);
  if (!row) throw new NotFoundError('ticket');
  const chat = await scope.tx
    .select({ chatId: users.botChatId })
    .from(users)
    .where(eq(users.id, row.customerId));
  if (chat[0]?.chatId == null) {
    throw new ConflictError(
      'conflict',
      'the customer has never written to the bot: there is no chat to ask in',
    );
  }
  return changeTicket(scope, row, {}, { actorId: actor.id, changes: ['contactRequested'] });
}

/** Where the admins' contact-step setting lives (kv_state). */
const CONTACT_STEP_KEY = 'settings:contact-before-first-ticket';

/** Whether a customer must share their phone before their first ticket (the bot asks; off by default). */
export async function contactStepRequired(q: Queryable): Promise<boolean> {
  const rows = await q
    .select({ value: kvState.value })
    .from(kvState)
    .where(eq(kvState.key, CONTACT_STEP_KEY));
  return (rows[0]?.value as Partial<ContactStep> | undefined)?.required === true;
}

export async function getContactStep(q: Queryable, actor: Actor): Promise<ContactStep> {
  if (!canManageContactStep(actor)) throw new ForbiddenError('only admins change the contact step');
  return { required: await contactStepRequired(q) };
}

export async function setContactStep(scope: TxScope, actor: Actor, rawInput: unknown): Promise<ContactStep> {
  if (!canManageContactStep(actor)) throw new ForbiddenError('only admins change the contact step');
  const input = parseInput(contactStepSchema, rawInput);
  await scope.tx
    .insert(kvState)
    .values({ key: CONTACT_STEP_KEY, value: input })
    .onConflictDoUpdate({ target: kvState.key, set: { value: input, updatedAt: sql`now()` } });
  return input;
}

/** Whether the user has shared their own phone with the bot. */
export async function hasVerifiedPhone(q: Queryable, userId: number): Promise<boolean> {
  const rows = await q.select({ verified: users.phoneVerified }).from(users).where(eq(users.id, userId));
  return rows[0]?.verified === true;
}
