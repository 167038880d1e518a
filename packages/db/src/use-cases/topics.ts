import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { events, telegramMessages, ticketTopics, users } from '../schema';
import type { TxScope } from '../scope';
import { prepared } from '../statements';

/** A ticket's forum topic as the bot keeps it (issue 16). */
export interface TicketTopic {
  ticketId: number;
  chatId: number;
  /** null: not created yet, or lost (deleted in Telegram) and not created again yet. */
  threadId: number | null;
  mirroredSeq: number;
  name: string | null;
  closed: boolean;
  lost: boolean;
}

const topicColumns = {
  ticketId: ticketTopics.ticketId,
  chatId: ticketTopics.chatId,
  threadId: ticketTopics.threadId,
  mirroredSeq: ticketTopics.mirroredSeq,
  name: ticketTopics.name,
  closed: ticketTopics.closed,
  lost: ticketTopics.lost,
};

/** The ticket's topic, if it has one (a primary-key read). */
export async function findTicketTopic(q: Queryable, ticketId: number): Promise<TicketTopic | null> {
  const select = prepared(q, 'tt_ticket_topic', (h) =>
    h
      .select(topicColumns)
      .from(ticketTopics)
      .where(eq(ticketTopics.ticketId, sql.placeholder('ticketId')))
      .prepare('tt_ticket_topic'),
  );
  const rows = await select.execute({ ticketId });
  return rows[0] ?? null;
}

/** The ticket whose topic this is (a message written in a topic finds its ticket here). */
export async function findTopicByThread(
  q: Queryable,
  chatId: number,
  threadId: number,
): Promise<number | null> {
  const rows = await q
    .select({ ticketId: ticketTopics.ticketId })
    .from(ticketTopics)
    .where(and(eq(ticketTopics.chatId, chatId), eq(ticketTopics.threadId, threadId)));
  return rows[0]?.ticketId ?? null;
}

/**
 * The ticket's topic row, locked for this transaction (the mirror of one ticket runs one at a time, in every
 * bot instance). A ticket without one gets it, mirrored up to `startAfterSeq`; `fresh` says so.
 */
export async function lockTopicMirror(
  scope: TxScope,
  ticketId: number,
  chatId: number,
  startAfterSeq: number,
): Promise<TicketTopic & { fresh: boolean }> {
  const inserted = await scope.tx
    .insert(ticketTopics)
    .values({ ticketId, chatId, mirroredSeq: startAfterSeq })
    .onConflictDoNothing()
    .returning({ ticketId: ticketTopics.ticketId });
  const rows = await scope.tx
    .select(topicColumns)
    .from(ticketTopics)
    .where(eq(ticketTopics.ticketId, ticketId))
    .for('update');
  const row = rows[0];
  if (!row) throw new Error(`ticket topic ${ticketId} vanished`);
  return { ...row, fresh: inserted.length === 1 };
}

/** What the mirror has queued for the topic: its seq, and the name and state the queued calls give it. */
export async function saveTopicMirror(
  scope: TxScope,
  ticketId: number,
  change: { mirroredSeq: number; name: string | null; closed: boolean },
): Promise<void> {
  await scope.tx
    .update(ticketTopics)
    .set({ ...change, updatedAt: sql`now()` })
    .where(eq(ticketTopics.ticketId, ticketId));
}

/**
 * Telegram created the ticket's topic: its thread from now on (the agents' chat may have a new id after a
 * migration to a supergroup). `lost` is cleared: the recap, if one was due, has been posted.
 */
export async function recordTopicCreated(
  scope: TxScope,
  topic: { ticketId: number; chatId: number; threadId: number; name: string },
): Promise<void> {
  await scope.tx
    .update(ticketTopics)
    .set({
      chatId: topic.chatId,
      threadId: topic.threadId,
      name: topic.name,
      closed: false,
      lost: false,
      updatedAt: sql`now()`,
    })
    .where(eq(ticketTopics.ticketId, topic.ticketId));
}

/** Telegram said the topic `threadId` is gone: the ticket's next post creates it again. false: already known. */
export async function forgetTopicThread(
  scope: TxScope,
  ticketId: number,
  threadId: number,
): Promise<boolean> {
  const rows = await scope.tx
    .update(ticketTopics)
    .set({ threadId: null, lost: true, updatedAt: sql`now()` })
    .where(and(eq(ticketTopics.ticketId, ticketId), eq(ticketTopics.threadId, threadId)))
    .returning({ ticketId: ticketTopics.ticketId });
  return rows.length === 1;
}

/**
 * Where a ticket message came from in Telegram, and where it went: every Telegram message linked to it
 * (the customer's own message in their chat, an agent's message in a topic, the bot's copies).
 */
export async function findTelegramCopies(
  q: Queryable,
  messageId: number,
): Promise<Array<{ chatId: number; telegramMessageId: number }>> {
  return q
    .select({ chatId: telegramMessages.chatId, telegramMessageId: telegramMessages.telegramMessageId })
    .from(telegramMessages)
    .where(and(isNotNull(telegramMessages.messageId), eq(telegramMessages.messageId, messageId)))
    .orderBy(telegramMessages.createdAt);
}

/**
 * The seq of the event that created message `messageId` on ticket `ticketId` (its mirror in a topic is keyed
 * by it), or null. Reads only that ticket's events, through the (ticket_id, seq) index.
 */
export async function findMessageCreatedSeq(
  q: Queryable,
  ticketId: number,
  messageId: number,
): Promise<number | null> {
  const rows = await q
    .select({ seq: events.seq })
    .from(events)
    .where(
      and(
        eq(events.ticketId, ticketId),
        eq(events.type, 'message.created'),
        sql`(${events.data}->'message'->>'id')::bigint = ${messageId}`,
      ),
    )
    .limit(1);
  return rows[0]?.seq ?? null;
}

/** Agents and admins by @username (case-insensitive): `/assign @username` in a topic. */
export async function findStaffByUsername(q: Queryable, username: string) {
  const rows = await q
    .select({ id: users.id, role: users.role, firstName: users.firstName, username: users.username })
    .from(users)
    .where(
      and(
        inArray(users.role, ['agent', 'admin']),
        sql`lower(${users.username}) = lower(${username.replace(/^@/, '')})`,
      ),
    )
    .limit(1);
  return rows[0] ?? null;
}
