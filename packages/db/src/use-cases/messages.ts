import {
  type Actor,
  acceptsMessage,
  BODY_MAX,
  ConflictError,
  canPostMessage,
  canViewTicket,
  type DeliveryState,
  ForbiddenError,
  type IncomingAttachment,
  isStaff,
  listMessagesQuerySchema,
  type Message,
  type MessageKind,
  NotFoundError,
  type PostMessageInput,
  parseInput,
  postMessageInputSchema,
  statusAfterMessage,
  type Ticket,
  textSchema,
} from '@tikethet/domain';
import { and, asc, eq, gt, inArray, ne, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { previewOf, toMessage, toTicket } from '../mappers';
import { prepared } from '../prepared';
import { attachments, messageColumns, messages, tickets, users } from '../schema';
import {
  type AuthorRow,
  appendEvent,
  bumpTicket,
  lockVisibleTicket,
  type TicketRow,
  type TicketSet,
  type TxScope,
} from '../scope';

interface NewMessage {
  kind: MessageKind;
  authorId: number | null;
  body: string;
  clientMessageId: string | null;
  via: 'miniapp' | 'bot';
  attachments: IncomingAttachment[];
}

/** The kind of message the actor writes: a note when internal, else an agent's or a customer's reply. */
export function messageKindOf(actor: Actor, internal: boolean): MessageKind {
  return internal ? 'note' : isStaff(actor.role) ? 'agent' : 'customer';
}

/** Agent replies written in the Mini App still have to reach the customer's Telegram chat. */
export function deliveryOf(kind: MessageKind, via: 'miniapp' | 'bot'): DeliveryState {
  return kind === 'agent' && via === 'miniapp' ? 'pending' : 'none';
}

/**
 * What a new message changes on its ticket besides seq and status: activity and preview for public
 * messages; the first agent reply's time; the SLA's awaiting-since. `preview` is a value or an SQL chunk (a placeholder). (Its words
 * are searched on the message itself.)
 */
export function messageTicketSet(kind: MessageKind, preview: string | SQL): TicketSet {
  const set: TicketSet = { updatedAt: sql`now()` };
  if (kind !== 'note') {
    Object.assign(set, {
      lastMessageAt: sql`now()`,
      lastMessagePreview: preview,
    });
  }
  if (kind === 'agent') set.firstResponseAt = sql`coalesce(${tickets.firstResponseAt}, now())`;
  // The SLA's next-response clock (0009 derives the due times): runs from the oldest unanswered customer
  // message until an agent replies.
  if (kind === 'agent') set.slaAwaitingSince = null;
  if (kind === 'customer') set.slaAwaitingSince = sql`coalesce(${tickets.slaAwaitingSince}, now())`;
  return set;
}

export async function authorOf(q: Queryable, authorId: number | null, known?: Map<number, AuthorRow>) {
  if (authorId === null) return null;
  const seen = known?.get(authorId);
  if (seen) return seen;
  const select = prepared(q, 'tt_message_author', (h) =>
    h
      .select({
        id: users.id,
        firstName: users.firstName,
        lastName: users.lastName,
        username: users.username,
        role: users.role,
      })
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare('tt_message_author'),
  );
  const rows = await select.execute({ id: authorId });
  return rows[0] ?? null;
}

/** Inserts a message (and its files) carrying `seq` and appends its message.created event with that seq. */
export async function insertMessage(
  scope: TxScope,
  ticket: TicketRow,
  seq: number,
  m: NewMessage,
): Promise<Message> {
  const insert = prepared(scope.tx, 'tt_insert_message', (q) =>
    q
      .insert(messages)
      .values({
        ticketId: sql.placeholder('ticketId'),
        seq: sql.placeholder('seq'),
        kind: sql.placeholder('kind'),
        authorId: sql.placeholder('authorId'),
        body: sql.placeholder('body'),
        clientMessageId: sql.placeholder('clientMessageId'),
        via: sql.placeholder('via'),
        delivery: sql.placeholder('delivery'),
      })
      .returning(messageColumns)
      .prepare('tt_insert_message'),
  );
  const rows = await insert.execute({
    ticketId: ticket.id,
    seq,
    kind: m.kind,
    authorId: m.authorId,
    body: m.body,
    clientMessageId: m.clientMessageId,
    via: m.via,
    delivery: deliveryOf(m.kind, m.via),
  });
  const row = rows[0];
  if (!row) throw new Error('message insert returned nothing');
  const files =
    m.attachments.length > 0
      ? await scope.tx
          .insert(attachments)
          .values(m.attachments.map((a) => ({ ...a, messageId: row.id })))
          .returning()
      : [];
  const message = toMessage(row, await authorOf(scope.tx, m.authorId, scope.authors), files);
  await appendEvent(scope, ticket, seq, {
    type: 'message.created',
    internal: message.internal,
    actorId: m.authorId,
    data: { message },
  });
  return message;
}

export async function findMessageBySeq(q: Queryable, ticketId: number, seq: number): Promise<Message | null> {
  const rows = await q
    .select(messageColumns)
    .from(messages)
    .where(and(eq(messages.ticketId, ticketId), eq(messages.seq, seq)));
  const row = rows[0];
  if (!row) return null;
  const files = await q.select().from(attachments).where(eq(attachments.messageId, row.id));
  return toMessage(row, await authorOf(q, row.authorId), files);
}

export interface PostMessageOptions {
  via?: 'miniapp' | 'bot';
  attachments?: IncomingAttachment[];
}

export interface PostedMessage {
  message: Message;
  ticket: Ticket;
  /** false when the clientMessageId had already posted this message. */
  created: boolean;
}

/**
 * Adds a reply (customer or agent) or an internal note. Idempotent by clientMessageId; moves the ticket
 * per the state machine (a customer reply reopens, the first agent reply opens); gap-free seq.
 */
export async function postMessage(
  scope: TxScope,
  actor: Actor,
  ticketId: number,
  rawInput: PostMessageInput,
  options: PostMessageOptions = {},
): Promise<PostedMessage> {
  const input = parseInput(postMessageInputSchema, rawInput);
  const internal = input.internal === true;
  const row = await lockVisibleTicket(scope, actor, ticketId);
  if (!canPostMessage(actor, row, internal)) throw new ForbiddenError('internal notes are for agents');
  if (input.clientMessageId) {
    const existing = await scope.tx
      .select(messageColumns)
      .from(messages)
      .where(and(eq(messages.ticketId, row.id), eq(messages.clientMessageId, input.clientMessageId)));
    const found = existing[0];
    if (found) {
      if (found.authorId !== actor.id)
        throw new ConflictError('conflict', 'clientMessageId already used on this ticket');
      const files = await scope.tx.select().from(attachments).where(eq(attachments.messageId, found.id));
      return {
        message: toMessage(found, await authorOf(scope.tx, found.authorId), files),
        ticket: toTicket(row),
        created: false,
      };
    }
  }
  const kind = messageKindOf(actor, internal);
  if (!acceptsMessage(row.status, kind)) {
    throw new ConflictError('invalid_transition', 'the ticket is closed; reopen it to write again');
  }
  const status = statusAfterMessage(row.status, kind);
  const statusChanged = status !== row.status;
  const set = messageTicketSet(kind, previewOf(input.body));
  if (statusChanged)
    Object.assign(set, { status, version: row.version + 1, resolvedAt: null, closedAt: null });
  const updated = await bumpTicket(scope, row.id, statusChanged ? 2 : 1, set);
  const messageSeq = updated.lastSeq - (statusChanged ? 1 : 0);
  const message = await insertMessage(scope, updated, messageSeq, {
    kind,
    authorId: actor.id,
    body: input.body,
    clientMessageId: input.clientMessageId ?? null,
    via: options.via ?? 'miniapp',
    attachments: options.attachments ?? [],
  });
  const ticket = toTicket(updated);
  if (statusChanged) {
    await appendEvent(scope, updated, updated.lastSeq, {
      type: 'ticket.updated',
      internal: false,
      actorId: actor.id,
      data: { ticket, changes: ['status'] },
    });
  }
  return { message, ticket, created: true };
}

/** The author edited the text in Telegram: the first text is kept in originalBody. */
export async function editMessage(
  scope: TxScope,
  actor: Actor,
  messageId: number,
  rawBody: string,
): Promise<Message> {
  const body = parseInput(textSchema(BODY_MAX), rawBody, 'body');
  const found = await scope.tx.select(messageColumns).from(messages).where(eq(messages.id, messageId));
  const current = found[0];
  if (!current || current.authorId !== actor.id) throw new NotFoundError('message');
  const row = await lockVisibleTicket(scope, actor, current.ticketId);
  const updatedRows = await scope.tx
    .update(messages)
    .set({
      body,
      originalBody: sql`coalesce(${messages.originalBody}, ${messages.body})`,
      editedAt: sql`now()`,
    })
    .where(eq(messages.id, messageId))
    .returning(messageColumns);
  const updatedRow = updatedRows[0];
  if (!updatedRow) throw new NotFoundError('message');
  const ticketRow = await bumpTicket(scope, row.id, 1);
  const files = await scope.tx.select().from(attachments).where(eq(attachments.messageId, messageId));
  const message = toMessage(updatedRow, await authorOf(scope.tx, updatedRow.authorId), files);
  await appendEvent(scope, ticketRow, ticketRow.lastSeq, {
    type: 'message.updated',
    internal: message.internal,
    actorId: actor.id,
    data: { message },
  });
  return message;
}

/** Records what happened to an agent reply on its way to the customer's Telegram chat. */
export async function setDelivery(
  scope: TxScope,
  messageId: number,
  delivery: DeliveryState,
): Promise<Message | null> {
  const found = await scope.tx.select(messageColumns).from(messages).where(eq(messages.id, messageId));
  const current = found[0];
  if (!current || current.delivery === delivery) return null;
  const ticketRows = await scope.tx
    .select()
    .from(tickets)
    .where(eq(tickets.id, current.ticketId))
    .for('update');
  if (!ticketRows[0]) return null;
  const updatedRows = await scope.tx
    .update(messages)
    .set({ delivery })
    .where(eq(messages.id, messageId))
    .returning(messageColumns);
  const updatedRow = updatedRows[0];
  if (!updatedRow) return null;
  const ticketRow = await bumpTicket(scope, current.ticketId, 1);
  const files = await scope.tx.select().from(attachments).where(eq(attachments.messageId, messageId));
  const message = toMessage(updatedRow, await authorOf(scope.tx, updatedRow.authorId), files);
  await appendEvent(scope, ticketRow, ticketRow.lastSeq, {
    type: 'message.updated',
    internal: message.internal,
    actorId: null,
    data: { message },
  });
  return message;
}

/** The conversation in seq order after `after`; internal notes only for staff. */
export async function listMessages(
  q: Queryable,
  actor: Actor,
  ticketId: number,
  rawQuery: Record<string, unknown> = {},
): Promise<Message[]> {
  const query = parseInput(listMessagesQuerySchema, rawQuery);
  const ticketRows = await q
    .select({ customerId: tickets.customerId })
    .from(tickets)
    .where(eq(tickets.id, ticketId));
  const ticket = ticketRows[0];
  if (!ticket || !canViewTicket(actor, ticket)) throw new NotFoundError('ticket');
  const conditions = [eq(messages.ticketId, ticketId), gt(messages.seq, query.after ?? 0)];
  if (!isStaff(actor.role)) conditions.push(ne(messages.kind, 'note'));
  const rows = await q
    .select({
      message: messageColumns,
      author: {
        id: users.id,
        firstName: users.firstName,
        lastName: users.lastName,
        username: users.username,
        role: users.role,
      },
    })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorId))
    .where(and(...conditions))
    .orderBy(asc(messages.seq))
    .limit(query.limit ?? 100);
  const ids = rows.map((r) => r.message.id);
  const files =
    ids.length > 0 ? await q.select().from(attachments).where(inArray(attachments.messageId, ids)) : [];
  return rows.map((r) =>
    toMessage(
      r.message,
      r.author?.id ? r.author : null,
      files.filter((f) => f.messageId === r.message.id),
    ),
  );
}

/** Marks the ticket read up to `seq` for the actor (unread badges). */
export async function markRead(scope: TxScope, actor: Actor, ticketId: number, seq: number): Promise<void> {
  const rows = await scope.tx
    .select({ customerId: tickets.customerId })
    .from(tickets)
    .where(eq(tickets.id, ticketId));
  const ticket = rows[0];
  if (!ticket || !canViewTicket(actor, ticket)) throw new NotFoundError('ticket');
  await scope.tx.execute(sql`
    insert into ticket_reads (ticket_id, user_id, last_read_seq) values (${ticketId}, ${actor.id}, ${seq})
    on conflict (ticket_id, user_id) do update set last_read_seq = greatest(ticket_reads.last_read_seq, excluded.last_read_seq), updated_at = now()`);
}
