import {
  type Actor,
  ConflictError,
  type CreateTicketInput,
  canBeAssigned,
  canChangeStatus,
  canClaim,
  canOpenAtPriority,
  canRate,
  createTicketInputSchema,
  ForbiddenError,
  forbiddenPatchField,
  type IncomingAttachment,
  isRateable,
  isStaff,
  type Message,
  parseInput,
  type Rating,
  rateTicketInputSchema,
  statusAfterClaim,
  type Ticket,
  type TicketStatus,
  type UpdateTicketInput,
  updateTicketInputSchema,
  ValidationError,
} from '@tikethet/domain';
import { and, eq, sql } from 'drizzle-orm';
import { previewOf, toRating, toTicket } from '../mappers';
import { categories, ratings, tickets, users } from '../schema';
import {
  appendEvent,
  bumpTicket,
  changeTicket,
  lockVisibleTicket,
  type TicketSet,
  type TxScope,
} from '../scope';
import { authorOf } from './authors';
import { type MessageDraft, writeMessages } from './message-writer';
import { findMessageBySeq } from './messages';
import { searchVectorOf } from './search';
import { autoAssign } from './service-levels';

export interface CreateTicketOptions {
  source?: 'miniapp' | 'bot';
  attachments?: IncomingAttachment[];
  /** The Telegram message it came from (the bot): linked to the first message. */
  telegram?: MessageDraft['telegram'];
}

export interface CreatedTicket {
  ticket: Ticket;
  message: Message;
  /** false when the clientMessageId had already created this ticket. */
  created: boolean;
}

async function assertCategory(scope: TxScope, categoryId: number | null | undefined): Promise<void> {
  if (categoryId === null || categoryId === undefined) return;
  const rows = await scope.tx
    .select({ id: categories.id })
    .from(categories)
    .where(and(eq(categories.id, categoryId), eq(categories.archived, false)));
  if (!rows[0]) throw new ValidationError([{ path: 'categoryId', message: 'no such category' }]);
}

/** Opens a ticket for the actor (its customer) with the first message; idempotent by clientMessageId. */
export async function createTicket(
  scope: TxScope,
  actor: Actor,
  rawInput: CreateTicketInput,
  options: CreateTicketOptions = {},
): Promise<CreatedTicket> {
  const input = parseInput(createTicketInputSchema, rawInput);
  if (!canOpenAtPriority(actor, input.priority)) {
    const message = 'customers open tickets at low or normal priority; agents set a higher one';
    throw new ForbiddenError(message, [{ path: 'priority', message }]);
  }
  await assertCategory(scope, input.categoryId);
  const source = options.source ?? 'miniapp';
  const inserted = await scope.tx
    .insert(tickets)
    .values({
      customerId: actor.id,
      subject: input.subject,
      priority: input.priority ?? 'normal',
      categoryId: input.categoryId ?? null,
      source,
      clientRequestId: input.clientMessageId ?? null,
      lastSeq: 2,
      lastMessagePreview: previewOf(input.body),
      search: searchVectorOf(input.subject),
    })
    .onConflictDoNothing()
    .returning();
  if (!inserted[0]) {
    // The same clientMessageId already created a ticket: answer with it.
    const existing = await scope.tx
      .select()
      .from(tickets)
      .where(and(eq(tickets.customerId, actor.id), eq(tickets.clientRequestId, input.clientMessageId ?? '')));
    const row = existing[0];
    if (!row) throw new ConflictError('conflict', 'ticket creation raced; retry');
    const message = await findMessageBySeq(scope.tx, row.id, 2);
    if (!message) throw new ConflictError('conflict', 'ticket creation raced; retry');
    return { ticket: toTicket(row), message, created: false };
  }
  const base = inserted[0];
  // Inserted with both seqs taken: 1 is the ticket.created event, 2 the first message the writer adds.
  await appendEvent(scope, base, 1, {
    type: 'ticket.created',
    internal: false,
    actorId: actor.id,
    data: { ticket: toTicket(base) },
  });
  const [written] = await writeMessages(scope, [
    {
      ticket: { ...base, lastSeq: 1 },
      kind: 'customer',
      author: await authorOf(scope.tx, actor.id, scope),
      body: input.body,
      via: source,
      attachments: options.attachments,
      telegram: options.telegram,
    },
  ]);
  if (!written) throw new Error('the message writer wrote nothing');
  const { ticket, message } = written;
  // The writer changed neither the ticket's version nor its status: the inserted row is current for this.
  const assigned = await autoAssign(scope, base);
  return { ticket: assigned ?? ticket, message, created: true };
}

export function statusTimestamps(from: TicketStatus, to: TicketStatus) {
  if (from === to) return {};
  const now = sql`now()`;
  if (to === 'resolved') return { resolvedAt: now };
  if (to === 'closed') return { closedAt: now };
  if (to === 'open' || to === 'pending') return { resolvedAt: null, closedAt: null };
  return {};
}

/** Changes status / priority / category / assignee with optimistic concurrency on `version`. */
export async function updateTicket(
  scope: TxScope,
  actor: Actor,
  ticketId: number,
  rawInput: UpdateTicketInput,
): Promise<Ticket> {
  const input = parseInput(updateTicketInputSchema, rawInput);
  const row = await lockVisibleTicket(scope, actor, ticketId);
  const current = toTicket(row);
  const forbidden = forbiddenPatchField(actor, current, input);
  if (forbidden) throw new ForbiddenError(`${forbidden} is not yours to change`);
  if (input.version !== row.version) {
    throw new ConflictError('version_conflict', 'the ticket changed since you loaded it', {
      ticket: current,
    });
  }
  const set: TicketSet = {};
  const changes: string[] = [];
  if (input.status !== undefined && input.status !== row.status) {
    if (!canChangeStatus(actor, current, input.status)) {
      if (!isStaff(actor.role) && !['open', 'closed'].includes(input.status)) {
        throw new ForbiddenError(`customers cannot set status ${input.status}`);
      }
      throw new ConflictError('invalid_transition', `cannot move a ${row.status} ticket to ${input.status}`, {
        from: row.status,
        to: input.status,
      });
    }
    Object.assign(set, { status: input.status }, statusTimestamps(row.status, input.status));
    changes.push('status');
  }
  if (input.priority !== undefined && input.priority !== row.priority) {
    set.priority = input.priority;
    changes.push('priority');
  }
  if (input.categoryId !== undefined && input.categoryId !== row.categoryId) {
    await assertCategory(scope, input.categoryId);
    set.categoryId = input.categoryId;
    changes.push('categoryId');
  }
  if (input.assigneeId !== undefined && input.assigneeId !== row.assigneeId) {
    if (input.assigneeId !== null) {
      const target = await scope.tx
        .select({ role: users.role })
        .from(users)
        .where(eq(users.id, input.assigneeId));
      if (!target[0] || !canBeAssigned(target[0].role)) {
        throw new ValidationError([{ path: 'assigneeId', message: 'must be an agent or admin' }]);
      }
    }
    set.assigneeId = input.assigneeId;
    changes.push('assigneeId');
    if (input.assigneeId !== null && row.status === 'new' && set.status === undefined) {
      set.status = 'open';
      changes.push('status');
    }
  }
  if (input.tags !== undefined && !sameTags(input.tags, row.tags)) {
    set.tags = input.tags;
    changes.push('tags');
  }
  if (changes.length === 0) return current;
  return changeTicket(scope, row, set, { actorId: actor.id, changes });
}

/** Whether two tag lists hold the same tags (order aside). */
export function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((tag) => b.includes(tag));
}

/** Atomic take of an unassigned ticket: of any number of concurrent claims exactly one wins. */
export async function claimTicket(scope: TxScope, actor: Actor, ticketId: number): Promise<Ticket> {
  if (!canClaim(actor)) throw new ForbiddenError('only agents claim tickets');
  const row = await lockVisibleTicket(scope, actor, ticketId);
  if (row.assigneeId === actor.id) return toTicket(row);
  if (row.assigneeId !== null) {
    throw new ConflictError('already_claimed', 'someone else has taken this ticket', {
      assigneeId: row.assigneeId,
    });
  }
  const status = statusAfterClaim(row.status);
  const changes = status === row.status ? ['assigneeId'] : ['assigneeId', 'status'];
  return changeTicket(scope, row, { assigneeId: actor.id, status }, { actorId: actor.id, changes });
}

/** The customer rates a resolved or closed ticket 1–5; rating again replaces the score. */
export async function rateTicket(
  scope: TxScope,
  actor: Actor,
  ticketId: number,
  rawInput: { score: number; comment?: string | null },
): Promise<Rating> {
  const input = parseInput(rateTicketInputSchema, rawInput);
  const row = await lockVisibleTicket(scope, actor, ticketId);
  if (!canRate(actor, row)) throw new ForbiddenError('only the customer rates a ticket');
  if (!isRateable(row.status))
    throw new ConflictError('invalid_transition', 'only a resolved or closed ticket can be rated');
  const saved = await scope.tx
    .insert(ratings)
    .values({ ticketId: row.id, score: input.score, comment: input.comment ?? null })
    .onConflictDoUpdate({
      target: ratings.ticketId,
      set: { score: input.score, comment: input.comment ?? null, createdAt: sql`now()` },
    })
    .returning();
  const ratingRow = saved[0];
  if (!ratingRow) throw new Error('rating upsert returned nothing');
  const updated = await bumpTicket(scope, row.id, 1, {
    rating: input.score,
    version: row.version + 1,
    updatedAt: sql`now()`,
  });
  const rating = toRating(ratingRow);
  await appendEvent(scope, updated, updated.lastSeq, {
    type: 'ticket.rated',
    internal: false,
    actorId: actor.id,
    data: { ticket: toTicket(updated), rating },
  });
  return rating;
}
