import {
  acceptsMessage,
  ConflictError,
  type DeliveryState,
  type IncomingAttachment,
  type Message,
  type MessageKind,
  type NewTicketEvent,
  statusAfterMessage,
  type Ticket,
  type TicketStatus,
} from '@tikethet/domain';
import { previewOf, toAttachment, toMessage, toTicket } from '../mappers';
import { attachments } from '../schema';
import {
  type AuthorRow,
  appendEvents,
  type PlannedEvent,
  storedEvent,
  type TicketRow,
  type TxScope,
} from '../scope';
import { runRendered } from '../statements';
import { startAlbums } from './albums';
import { type WriteRow, writeStatement } from './message-write-statement';

/**
 * The one message writer. Every message enters a ticket here — a reply or note from the Mini App (N = 1), the
 * bot's one-update path, a ticket's first message, the bot's batch of plain texts (N = many) — as drafts on
 * tickets the caller has locked in its transaction. One statement writes the drafts' messages, their
 * message.created events and Telegram links, and bumps each ticket once (seq, activity, preview, first
 * response, and the status the domain's state machine gives it). A write with files or a status change
 * stores the files, then all its events in seq order, in two more statements.
 */
export interface MessageDraft {
  /** The ticket as the caller locked it (FOR UPDATE) in this transaction: drafts are numbered after lastSeq. */
  ticket: Pick<TicketRow, 'id' | 'customerId' | 'status' | 'lastSeq'>;
  kind: MessageKind;
  /** The author as messages show them; null for none (a system line). */
  author: AuthorRow | null;
  body: string;
  clientMessageId?: string | null;
  via: 'miniapp' | 'bot';
  attachments?: IncomingAttachment[];
  /** The Telegram message it came from (the bot): linked to the message so replies and edits find it. */
  telegram?: TelegramSource;
}

/** A Telegram message a draft came from; an album's first item also names its album (albums.ts). */
export interface TelegramSource {
  chatId: number;
  telegramMessageId: number;
  /** The item's media_group_id, and whether the body is its caption (else a line naming the file). */
  album?: { mediaGroupId: string; hasText: boolean };
}

export interface WrittenMessage {
  message: Message;
  /** The ticket after the whole write (every draft on it). */
  ticket: Ticket;
}

/** What the ticket list previews for a message of files alone: their names. */
function filesLine(files: IncomingAttachment[] | undefined): string {
  return (files ?? []).map((f) => `📎 ${f.fileName ?? f.kind}`).join(', ');
}

/** Agent replies written in the Mini App still have to reach the customer's Telegram chat. */
export function deliveryOf(kind: MessageKind, via: 'miniapp' | 'bot'): DeliveryState {
  return kind === 'agent' && via === 'miniapp' ? 'pending' : 'none';
}

/** One ticket's part of a write: where its seq ends, its status, and what its bump sets. */
interface TicketPlan {
  id: number;
  customerId: number;
  lastSeq: number;
  status: TicketStatus;
  /** Status changes: each takes a seq for its ticket.updated event, after the message that caused it. */
  moves: { seq: number; actorId: number | null }[];
  preview: string | null;
  agentReplied: boolean;
  /**
   * The SLA's next-response clock (0009 derives the due times from it), which runs from the oldest unanswered
   * customer message until an agent replies: 'start' keeps a running clock, 'restart' starts it now (an
   * agent replied earlier in this write), 'clear' stops it; null leaves it.
   */
  awaiting: 'start' | 'restart' | 'clear' | null;
}

type Bump = Pick<TicketPlan, 'preview' | 'agentReplied' | 'awaiting'>;

/** What a draft adds to its ticket's bump: preview and activity, first response, the SLA clock. */
export function bumpOf(plan: Bump, d: Pick<MessageDraft, 'kind' | 'body' | 'attachments'>): Bump {
  if (d.kind !== 'note') plan.preview = previewOf(d.body || filesLine(d.attachments));
  if (d.kind === 'agent') {
    plan.agentReplied = true;
    plan.awaiting = 'clear';
  }
  if (d.kind === 'customer')
    plan.awaiting = plan.awaiting === null || plan.awaiting === 'start' ? 'start' : 'restart';
  return plan;
}

/**
 * Writes the drafts in order (a ticket's drafts get consecutive seqs, each status change the seq after its
 * message). A draft the ticket does not take (a customer on a closed ticket) fails the whole write.
 */
export async function writeMessages(scope: TxScope, drafts: MessageDraft[]): Promise<WrittenMessage[]> {
  const plans = new Map<number, TicketPlan>();
  const seqs = drafts.map((d) => {
    let plan = plans.get(d.ticket.id);
    if (!plan) {
      plan = { ...d.ticket, moves: [], preview: null, agentReplied: false, awaiting: null };
      plans.set(d.ticket.id, plan);
    }
    if (!acceptsMessage(plan.status, d.kind)) {
      throw new ConflictError('invalid_transition', 'the ticket is closed; reopen it to write again');
    }
    plan.lastSeq += 1;
    const seq = plan.lastSeq;
    const next = statusAfterMessage(plan.status, d.kind);
    if (next !== plan.status) {
      plan.status = next;
      plan.lastSeq += 1;
      plan.moves.push({ seq: plan.lastSeq, actorId: d.author?.id ?? null });
    }
    bumpOf(plan, d);
    return seq;
  });
  const built = drafts.map((d, i) => builtMessage(d, seqs[i] as number));
  const ticketPlans = [...plans.values()];
  // The common write (no files, no status change) stores its events in the statement; otherwise they are
  // stored after it, all together in seq order (event ids follow seqs: the relay and catch-ups read by id).
  const inline =
    ticketPlans.every((t) => t.moves.length === 0) && drafts.every((d) => !d.attachments?.length);
  const rows = await runRendered<WriteRow>(scope.tx, writeStatement(), {
    ticketIds: drafts.map((d) => d.ticket.id),
    customerIds: drafts.map((d) => d.ticket.customerId),
    seqs,
    kinds: drafts.map((d) => d.kind),
    authorIds: drafts.map((d) => d.author?.id ?? null),
    bodies: drafts.map((d) => d.body),
    clientMessageIds: drafts.map((d) => d.clientMessageId ?? null),
    vias: drafts.map((d) => d.via),
    deliveries: built.map((m) => m.delivery),
    // As text (the statement makes it jsonb); null: the event is stored after the statement.
    data: built.map((m) => (inline ? JSON.stringify({ message: m }) : null)),
    chatIds: drafts.map((d) => d.telegram?.chatId ?? null),
    telegramMessageIds: drafts.map((d) => d.telegram?.telegramMessageId ?? null),
    bumpIds: ticketPlans.map((t) => t.id),
    bumpSeqs: ticketPlans.map((t) => t.lastSeq),
    bumpStatuses: ticketPlans.map((t) => t.status),
    bumpMoves: ticketPlans.map((t) => t.moves.length),
    bumpPreviews: ticketPlans.map((t) => t.preview),
    bumpAgentReplied: ticketPlans.map((t) => t.agentReplied),
    bumpAwaiting: ticketPlans.map((t) => t.awaiting),
  });
  if (rows.length !== drafts.length) throw new Error('the message write returned a row per draft');
  const finalRows = new Map<number, TicketRow>();
  const written = rows.map((row) => {
    const { ord, messageId, messageCreatedAt, eventId, eventCreatedAt, ...ticketRow } = row;
    finalRows.set(ticketRow.id, ticketRow as TicketRow);
    const index = ord - 1;
    const draft = drafts[index] as MessageDraft;
    const message = { ...(built[index] as Message), id: messageId, createdAt: messageCreatedAt };
    if (eventId !== null) {
      const created = createdEvent(message);
      scope.events.push(
        storedEvent(created, draft.ticket, message.seq, { id: eventId, createdAt: eventCreatedAt }),
      );
    }
    return { draft, message };
  });
  if (!inline) {
    await writeFiles(scope, written);
    await startAlbums(scope, written);
    const later: PlannedEvent[] = written.map(({ draft, message }) => ({
      ticket: draft.ticket,
      seq: message.seq,
      event: createdEvent(message),
    }));
    for (const plan of ticketPlans) {
      const row = finalRows.get(plan.id) as TicketRow;
      for (const move of plan.moves) {
        const data = { ticket: toTicket(row), changes: ['status'] };
        later.push({
          ticket: row,
          seq: move.seq,
          event: { type: 'ticket.updated', internal: false, actorId: move.actorId, data },
        });
      }
    }
    await appendEvents(
      scope,
      later.sort((a, b) => a.ticket.id - b.ticket.id || a.seq - b.seq),
    );
  }
  return written.map(({ draft, message }) => ({
    message,
    ticket: toTicket(finalRows.get(draft.ticket.id) as TicketRow),
  }));
}

/** The message as the mapper builds it, before its row exists (id 0, the epoch): the statement fills both in. */
export function builtMessage(
  d: Pick<MessageDraft, 'kind' | 'author' | 'body' | 'clientMessageId' | 'via'> & { ticket: { id: number } },
  seq: number,
): Message {
  return toMessage(
    {
      id: 0,
      ticketId: d.ticket.id,
      seq,
      kind: d.kind,
      authorId: d.author?.id ?? null,
      body: d.body,
      originalBody: null,
      clientMessageId: d.clientMessageId ?? null,
      via: d.via,
      delivery: deliveryOf(d.kind, d.via),
      createdAt: new Date(0).toISOString(),
      editedAt: null,
    },
    d.author,
  );
}

export const createdEvent = (message: Message): NewTicketEvent => ({
  type: 'message.created',
  internal: message.internal,
  actorId: message.authorId,
  data: { message },
});

/** The drafts' files, onto their messages (an album item's placed by its Telegram message_id). */
async function writeFiles(scope: TxScope, written: { draft: MessageDraft; message: Message }[]) {
  const files = written.flatMap(({ draft, message }) =>
    (draft.attachments ?? []).map((a) => ({
      ...a,
      messageId: message.id,
      position: draft.telegram?.album ? draft.telegram.telegramMessageId : null,
    })),
  );
  if (files.length === 0) return;
  const stored = await scope.tx.insert(attachments).values(files).returning();
  for (const w of written) {
    w.message.attachments = stored.filter((f) => f.messageId === w.message.id).map(toAttachment);
  }
}
