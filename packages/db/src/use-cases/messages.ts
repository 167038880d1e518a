import {
  type Actor,
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
  postMessageWithFilesInputSchema,
  type Ticket,
  textSchema,
} from '@tikethet/domain';
import { and, asc, eq, gt, inArray, ne, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { toMessage, toTicket } from '../mappers';
import { attachments, messageColumns, messages, tickets, users } from '../schema';
import { appendEvent, bumpTicket, lockVisibleTicket, type TxScope } from '../scope';
import { prepared } from '../statements';
import { authorColumns, authorOf } from './authors';
import { type MessageDraft, writeMessages } from './message-writer';

/** The kind of message the actor writes: a note when internal, else an agent's or a customer's reply. */
export function messageKindOf(actor: Actor, internal: boolean): MessageKind {
  return internal ? 'note' : isStaff(actor.role) ? 'agent' : 'customer';
}

/** A stored message with its author and files, as the API shows it. */
async function loadMessage(q: Queryable, row: MessageRow, scope?: TxScope): Promise<Message> {
  const files = await q.select().from(attachments).where(eq(attachments.messageId, row.id));
  return toMessage(row, await authorOf(q, row.authorId, scope), files);
}

type MessageRow = Awaited<ReturnType<typeof selectMessages>>[number];
const selectMessages = (q: Queryable, where: SQL | undefined) =>
  q.select(messageColumns).from(messages).where(where);

export async function findMessageBySeq(q: Queryable, ticketId: number, seq: number): Promise<Message | null> {
  const rows = await selectMessages(q, and(eq(messages.ticketId, ticketId), eq(messages.seq, seq)));
  return rows[0] ? loadMessage(q, rows[0]) : null;
}

/** The ticket locked for a new message (in this transaction), and the author as stored: one statement. */
async function lockForMessage(scope: TxScope, actor: Actor, ticketId: number) {
  const select = prepared(scope.tx, 'tt_lock_for_message', (q) =>
    q
      .select({ ticket: tickets, author: authorColumns })
      .from(tickets)
      .leftJoin(users, eq(users.id, sql.placeholder('authorId')))
      .where(eq(tickets.id, sql.placeholder('ticketId')))
      .for('update', { of: tickets })
      .prepare('tt_lock_for_message'),
  );
  const rows = await select.execute({ ticketId, authorId: actor.id });
  const row = rows[0];
  if (!row || !canViewTicket(actor, row.ticket)) throw new NotFoundError('ticket');
  return row;
}

/**
 * The message a clientMessageId already posted on the ticket. Read after the ticket's lock, in a statement
 * of its own: its snapshot then sees what the writer that held the lock before us committed.
 */
async function messageByClientId(scope: TxScope, ticketId: number, clientMessageId: string) {
  const select = prepared(scope.tx, 'tt_message_by_client_id', (q) =>
    q
      .select(messageColumns)
      .from(messages)
      .where(
        and(
          eq(messages.ticketId, sql.placeholder('ticketId')),
          eq(messages.clientMessageId, sql.placeholder('clientMessageId')),
        ),
      )
      .prepare('tt_message_by_client_id'),
  );
  return (await select.execute({ ticketId, clientMessageId }))[0];
}

export interface PostMessageOptions {
  via?: 'miniapp' | 'bot';
  attachments?: IncomingAttachment[];
  /** The Telegram message it came from (the bot): linked to the new message. */
  telegram?: MessageDraft['telegram'];
}

export interface PostedMessage {
  message: Message;
  ticket: Ticket;
  /** false when the clientMessageId had already posted this message. */
  created: boolean;
}

/** The post's input, checked: a message that carries files may have no text. */
export function parsePost(rawInput: PostMessageInput, options: PostMessageOptions) {
  const files = options.attachments?.length ?? 0;
  const input = parseInput(files > 0 ? postMessageWithFilesInputSchema : postMessageInputSchema, rawInput);
  return { input, files, internal: input.internal === true };
}

/**
 * Adds a reply (customer or agent) or an internal note through the message writer. Idempotent by
 * clientMessageId (under the ticket's lock); moves the ticket per the state machine; gap-free seq.
 */
export async function postMessage(
  scope: TxScope,
  actor: Actor,
  ticketId: number,
  rawInput: PostMessageInput,
  options: PostMessageOptions = {},
): Promise<PostedMessage> {
  const { input, internal } = parsePost(rawInput, options);
  const clientMessageId = input.clientMessageId ?? null;
  const { ticket, author } = await lockForMessage(scope, actor, ticketId);
  if (!canPostMessage(actor, ticket, internal)) throw new ForbiddenError('internal notes are for agents');
  const earlier = clientMessageId ? await messageByClientId(scope, ticket.id, clientMessageId) : undefined;
  if (earlier) {
    if (earlier.authorId !== actor.id)
      throw new ConflictError('conflict', 'clientMessageId already used on this ticket');
    return { message: await loadMessage(scope.tx, earlier, scope), ticket: toTicket(ticket), created: false };
  }
  const [written] = await writeMessages(scope, [
    {
      ticket,
      kind: messageKindOf(actor, internal),
      author,
      body: input.body,
      clientMessageId,
      via: options.via ?? 'miniapp',
      attachments: options.attachments,
      telegram: options.telegram,
    },
  ]);
  if (!written) throw new Error('the message writer wrote nothing');
  return { ...written, created: true };
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
  const message = await loadMessage(scope.tx, updatedRow, scope);
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
  const message = await loadMessage(scope.tx, updatedRow, scope);
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
