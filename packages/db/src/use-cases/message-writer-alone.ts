import {
  type Actor,
  acceptsMessage,
  canPostMessage,
  canViewTicket,
  type MessageKind,
  type PostMessageInput,
  statusAfterMessage,
  type TicketEvent,
  type TicketStatus,
  ticketStatuses,
} from '@tikethet/domain';
import type { Queryable } from '../client';
import { toTicket } from '../mappers';
import { withConnectionRetry } from '../retry';
import { type AuthorRow, type Deps, inTransaction, storedEvent, type TicketRow } from '../scope';
import { runRendered } from '../statements';
import { seenAuthor, unseeAuthor } from './authors';
import { type Whose, type WriteOneRow, writeOneStatement } from './message-write-statement';
import { builtMessage, bumpOf, createdEvent, type MessageDraft, type WrittenMessage } from './message-writer';
import {
  messageKindOf,
  type PostedMessage,
  type PostMessageOptions,
  parsePost,
  postMessage,
} from './messages';

export type { Whose };

/** A draft the one-statement write takes: a ticket known by id alone (the statement locks it), an author. */
export type LoneDraft = Omit<MessageDraft, 'ticket' | 'author' | 'attachments' | 'telegram'> & {
  ticketId: number;
  author: AuthorRow;
};

export interface WrittenAlone extends WrittenMessage {
  /** Its message.created event, stored: to publish once the statement has returned. */
  event: TicketEvent;
}

/** The statuses on which the domain's state machine takes a message of this kind and keeps the status. */
function quietStatuses(kind: MessageKind): TicketStatus[] {
  return ticketStatuses.filter((s) => acceptsMessage(s, kind) && statusAfterMessage(s, kind) === s);
}

/**
 * N = 1 in one round trip: the draft written by ONE statement on its own (no transaction), which locks the
 * ticket and takes its next seq only where the message is quiet (see `writeOneStatement`). null when it wrote
 * nothing — the ticket is missing or not `whose`, its status would change or refuse the message, the author
 * changed, the clientMessageId was seen (also when a concurrent retry with it committed first: its unique
 * index undoes this statement) — and the caller writes the draft with `writeMessages` in a transaction,
 * which decides each of those cases.
 */
export async function writeMessageAlone(
  q: Queryable,
  d: LoneDraft,
  whose: Whose,
): Promise<WrittenAlone | null> {
  const bump = bumpOf({ preview: null, agentReplied: false, awaiting: null }, d);
  const built = builtMessage({ ...d, ticket: { id: d.ticketId } }, 0);
  let rows: WriteOneRow[];
  try {
    rows = await runRendered<WriteOneRow>(q, writeOneStatement(d.kind, whose, quietStatuses(d.kind)), {
      ticketId: d.ticketId,
      authorId: d.author.id,
      firstName: d.author.firstName,
      lastName: d.author.lastName,
      username: d.author.username,
      role: d.author.role,
      clientMessageId: d.clientMessageId ?? null,
      preview: bump.preview,
      agentReplied: bump.agentReplied,
      awaiting: bump.awaiting,
      kind: d.kind,
      body: d.body,
      via: d.via,
      delivery: built.delivery,
      data: JSON.stringify({ message: built }),
    });
  } catch (error) {
    if (isClientMessageIdTaken((error as Error).cause)) return null;
    throw error;
  }
  const row = rows[0];
  if (!row) return null;
  const { seq, messageId, messageCreatedAt, eventId, eventCreatedAt, ...ticketRow } = row;
  const message = { ...built, id: messageId, seq, createdAt: messageCreatedAt };
  const event = storedEvent(createdEvent(message), ticketRow, seq, {
    id: eventId as number,
    createdAt: eventCreatedAt,
  });
  return { message, ticket: toTicket(ticketRow as TicketRow), event };
}

function isClientMessageIdTaken(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | undefined;
  return e?.code === '23505' && e.constraint === 'messages_client_id_uq';
}

/**
 * Whose tickets the actor may write this message on, as the domain's permissions say (they look at a ticket's
 * customer only): any ticket, only their own, or none (then the transaction explains why).
 */
function writableTickets(actor: Actor, internal: boolean): Whose | null {
  const allowed = (customerId: number) =>
    canViewTicket(actor, { customerId }) && canPostMessage(actor, { customerId }, internal);
  if (!allowed(actor.id)) return null;
  return allowed(actor.id === -1 ? -2 : -1) ? 'any' : 'own';
}

/**
 * `postMessage` on its own (the API's): a message without files is ONE statement, no transaction
 * (`writeMessageAlone`); what that statement leaves — a status change, a clientMessageId seen before, an
 * error to explain — is decided by `postMessage` in a transaction.
 */
export async function postMessageAlone(
  deps: Deps,
  actor: Actor,
  ticketId: number,
  rawInput: PostMessageInput,
  options: PostMessageOptions = {},
): Promise<PostedMessage> {
  const { input, files, internal } = parsePost(rawInput, options);
  const whose = writableTickets(actor, internal);
  const alone = whose !== null && files === 0 && !options.telegram;
  const author = alone ? await withConnectionRetry(() => seenAuthor(deps.db, actor.id)) : null;
  if (whose && author) {
    const draft = {
      ticketId,
      kind: messageKindOf(actor, internal),
      author,
      body: input.body,
      clientMessageId: input.clientMessageId ?? null,
      via: options.via ?? 'miniapp',
    };
    const written = await withConnectionRetry(() => writeMessageAlone(deps.db, draft, whose));
    if (written) {
      deps.publisher.afterCommit([written.event], []);
      return { message: written.message, ticket: written.ticket, created: true };
    }
    unseeAuthor(deps.db, actor.id);
  }
  return inTransaction(deps, (scope) => postMessage(scope, actor, ticketId, rawInput, options));
}
