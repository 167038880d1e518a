import {
  acceptsMessage,
  canPostMessage,
  isStaff,
  type NewTicketEvent,
  postMessageInputSchema,
  statusAfterMessage,
  type TelegramProfile,
} from '@tikethet/domain';
import { inArray, type SQL, sql } from 'drizzle-orm';
import { previewOf, toMessage } from '../mappers';
import {
  events,
  kvState,
  messageColumns,
  messages,
  telegramMessages,
  telegramUpdates,
  tickets,
  users,
} from '../schema';
import { storedEvent, type TicketRow, type TxScope } from '../scope';
import { ROUTABLE_STATUSES } from './read-tickets';
import { profileUpdateSet, profileValues, rememberAuthor } from './users';

/** A plain text a customer wrote to the bot in their private chat (no command, no reply, no file). */
export interface IngestTextItem {
  updateId: number;
  profile: TelegramProfile;
  chatId: number;
  telegramMessageId: number;
  /** The text as the ticket keeps it (trimmed and bounded by the bot). */
  body: string;
  /** A kv_state key whose presence means the sender asked for a new ticket (/new): such a text falls back. */
  pendingKey: string;
}

/**
 * processed: posted on the sender's latest open ticket; duplicate: its update_id was claimed before;
 * fallback: nothing written for it here — run it through the bot's full, one-update path (a new ticket, a
 * pending /new, a status change, staff, input the schemas refuse).
 */
export type IngestOutcome = 'processed' | 'duplicate' | 'fallback';

interface Planned {
  index: number;
  item: IngestTextItem;
  ticket: TicketRow;
  seq: number;
}

/** Rows of a multi-row INSERT … RETURNING found again by (ticket, seq): Postgres does not promise their order. */
function matchByTicketSeq<R extends { ticketId: number; seq: number }>(rows: R[], what: string) {
  const at = new Map(rows.map((r) => [`${r.ticketId}:${r.seq}`, r]));
  return (ticketId: number, seq: number): R => {
    const row = at.get(`${ticketId}:${seq}`);
    if (!row) throw new Error(`${what} insert returned fewer rows`);
    return row;
  };
}

/** `case id when … then … end` over the given tickets. */
function perTicket<T>(list: T[], idOf: (t: T) => number, valueFor: (t: T) => SQL): SQL {
  return sql.join([
    sql`case ${tickets.id}`,
    ...list.map((t) => sql` when ${idOf(t)}::int then ${valueFor(t)}`),
    sql` end`,
  ]);
}

/**
 * The bot's many-updates path: a batch of plain customer texts in ONE transaction with a fixed number of
 * statements (upsert senders, find and lock their latest open tickets, claim update_ids, insert messages,
 * events and Telegram links, bump the tickets) instead of ~10 round trips per update. It writes exactly what
 * the one-update path writes for such a text (postMessage via 'bot' + the link), and leaves every text it
 * cannot treat that way to it: once one text of a sender falls back, that sender's later texts do too, so a
 * sender's texts keep their order. Locks are taken in id order (users, then tickets).
 */
export async function ingestCustomerTexts(scope: TxScope, items: IngestTextItem[]): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = items.map(() => 'fallback');
  const fellBack = new Set<number>();
  const fallBack = (i: number) => {
    const item = items[i];
    if (item) fellBack.add(item.profile.id);
  };

  // 1. Validate and upsert the senders (one row each, the latest profile), in id order.
  const profiles = new Map<number, ReturnType<typeof profileValues>>();
  const valid: number[] = [];
  for (const [i, item] of items.entries()) {
    if (fellBack.has(item.profile.id)) continue;
    try {
      if (!postMessageInputSchema.safeParse({ body: item.body }).success) throw new Error('body');
      profiles.set(item.profile.id, profileValues(item.profile, { botChatId: item.chatId }));
      valid.push(i);
    } catch {
      fallBack(i);
    }
  }
  if (valid.length === 0) return outcomes;
  const userRows = await scope.tx
    .insert(users)
    .values([...profiles.values()].sort((a, b) => a.id - b.id))
    .onConflictDoUpdate({ target: users.id, set: profileUpdateSet(true) })
    .returning();
  const roles = new Map<number, (typeof userRows)[number]['role']>();
  for (const row of userRows) {
    rememberAuthor(scope, row);
    roles.set(row.id, row.role);
  }

  // 2. Who asked for a new ticket; each customer's latest open ticket, locked.
  const customerIds = [...roles].filter(([, role]) => !isStaff(role)).map(([id]) => id);
  const pendingKeys = [...new Set(valid.map((i) => items[i]?.pendingKey ?? ''))];
  const pending = new Set(
    (await scope.tx.select({ key: kvState.key }).from(kvState).where(inArray(kvState.key, pendingKeys))).map(
      (r) => r.key,
    ),
  );
  const latest = sql`select distinct on (${tickets.customerId}) ${tickets.id} from ${tickets}
    where ${inArray(tickets.customerId, customerIds.length ? customerIds : [0])}
      and ${inArray(tickets.status, ROUTABLE_STATUSES)}
    order by ${tickets.customerId}, ${tickets.lastMessageAt} desc, ${tickets.id} desc`;
  const locked = await scope.tx
    .select()
    .from(tickets)
    .where(sql`${tickets.id} in (${latest})`)
    .orderBy(tickets.id)
    .for('update');
  const ticketOf = new Map(locked.map((t) => [t.customerId, { ...t }]));

  // 3. What can go the short way: a customer with an open ticket that takes the text without a status change.
  const candidates: number[] = [];
  for (const i of valid) {
    const item = items[i] as IngestTextItem;
    const userId = item.profile.id;
    const role = roles.get(userId);
    const ticket = ticketOf.get(userId);
    const fits =
      !fellBack.has(userId) &&
      role !== undefined &&
      !isStaff(role) &&
      !pending.has(item.pendingKey) &&
      ticket !== undefined &&
      canPostMessage({ id: userId, role }, ticket, false) &&
      acceptsMessage(ticket.status, 'customer') &&
      statusAfterMessage(ticket.status, 'customer') === ticket.status;
    if (fits) candidates.push(i);
    else fallBack(i);
  }
  if (candidates.length === 0) return outcomes;

  // 4. Claim the update_ids: one taken before (or by a concurrent copy that committed) is a duplicate.
  const claimed = new Set(
    (
      await scope.tx
        .insert(telegramUpdates)
        .values(candidates.map((i) => ({ updateId: (items[i] as IngestTextItem).updateId })))
        .onConflictDoNothing()
        .returning({ updateId: telegramUpdates.updateId })
    ).map((r) => r.updateId),
  );
  const planned: Planned[] = [];
  for (const index of candidates) {
    const item = items[index] as IngestTextItem;
    if (!claimed.delete(item.updateId)) {
      outcomes[index] = 'duplicate';
      continue;
    }
    const ticket = ticketOf.get(item.profile.id) as TicketRow;
    ticket.lastSeq += 1;
    planned.push({ index, item, ticket, seq: ticket.lastSeq });
  }
  if (planned.length === 0) return outcomes;

  // 5. Messages, their events and links; then each touched ticket once.
  const messageRows = await scope.tx
    .insert(messages)
    .values(
      planned.map((p) => ({
        ticketId: p.ticket.id,
        seq: p.seq,
        kind: 'customer' as const,
        authorId: p.item.profile.id,
        body: p.item.body,
        via: 'bot' as const,
      })),
    )
    .returning(messageColumns);
  const messageAt = matchByTicketSeq(messageRows, 'message');
  const withEvents = planned.map((p) => {
    const message = toMessage(
      messageAt(p.ticket.id, p.seq),
      scope.authors?.get(p.item.profile.id) ?? null,
      [],
    );
    const event: NewTicketEvent = {
      type: 'message.created',
      internal: false,
      actorId: p.item.profile.id,
      data: { message },
    };
    return { ...p, message, event };
  });
  const eventRows = await scope.tx
    .insert(events)
    .values(
      withEvents.map((p) => ({
        ticketId: p.ticket.id,
        seq: p.seq,
        type: p.event.type,
        customerId: p.ticket.customerId,
        internal: p.event.internal,
        actorId: p.event.actorId,
        data: p.event.data,
      })),
    )
    .returning({ id: events.id, ticketId: events.ticketId, seq: events.seq, createdAt: events.createdAt });
  const eventAt = matchByTicketSeq(eventRows, 'event');
  for (const p of withEvents) {
    scope.events.push(storedEvent(p.event, p.ticket, p.seq, eventAt(p.ticket.id, p.seq)));
    outcomes[p.index] = 'processed';
  }
  await scope.tx
    .insert(telegramMessages)
    .values(
      withEvents.map((p) => ({
        chatId: p.item.chatId,
        telegramMessageId: p.item.telegramMessageId,
        ticketId: p.ticket.id,
        messageId: p.message.id,
      })),
    )
    .onConflictDoNothing();

  // Each ticket once: its last seq and the preview of its last text.
  const touched = new Map<number, { ticket: TicketRow; last: string }>();
  for (const p of planned) touched.set(p.ticket.id, { ticket: p.ticket, last: p.item.body });
  const bumped = [...touched.values()];
  const idOf = (t: { ticket: TicketRow }) => t.ticket.id;
  await scope.tx
    .update(tickets)
    .set({
      lastSeq: perTicket(bumped, idOf, (t) => sql`${t.ticket.lastSeq}::int`),
      lastMessagePreview: perTicket(bumped, idOf, (t) => sql`${previewOf(t.last)}::text`),
      updatedAt: sql`now()`,
      lastMessageAt: sql`now()`,
    })
    .where(inArray(tickets.id, bumped.map(idOf)));
  return outcomes;
}
