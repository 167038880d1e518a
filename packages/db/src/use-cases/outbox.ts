import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { iso } from '../mappers';
import { kvState, telegramOutbox } from '../schema';
import type { TxScope } from '../scope';
import { prepared } from '../statements';
import { setDelivery } from './messages';
import { linkTelegramMessage } from './telegram';

export interface OutboxItem {
  chatId: number;
  /** Bot API method, e.g. `sendMessage`. */
  method: string;
  /** The method's parameters (without chat_id, which the queue adds). */
  payload: Record<string, unknown>;
  ticketId?: number | null;
  messageId?: number | null;
  /** Unique per purpose (e.g. `reply:<messageId>`): enqueueing the same key again changes nothing. */
  dedupeKey?: string | null;
  /** Posted into the forum topic of `ticketId`: the queue fills in message_thread_id when it sends. */
  inTopic?: boolean;
  /** Not sent before this many milliseconds from now (an album's copy waits for the album's last items). */
  delayMs?: number;
}

/**
 * Queues one outbound Telegram call in the caller's transaction (sent after commit by the bot's queue).
 * Returns false when the dedupe key was already queued.
 */
export async function enqueueTelegram(scope: TxScope, item: OutboxItem): Promise<boolean> {
  const rows = await scope.tx
    .insert(telegramOutbox)
    .values({
      chatId: item.chatId,
      method: item.method,
      payload: item.payload,
      ticketId: item.ticketId ?? null,
      messageId: item.messageId ?? null,
      dedupeKey: item.dedupeKey ?? null,
      inTopic: item.inTopic ?? false,
      ...(item.delayMs ? { nextAttemptAt: sql`now() + make_interval(secs => ${item.delayMs / 1000})` } : {}),
    })
    .onConflictDoNothing()
    .returning({ id: telegramOutbox.id });
  return rows.length === 1;
}

/**
 * The bot's queue sent outbox row `id` (Telegram answered with `telegramMessageId`, null for calls that make
 * no message; an album's later messages in `moreMessageIds`). In one transaction: the row is marked sent, the message's delivery becomes `sent` (a
 * message.updated event, published after commit) and the Telegram message is linked to its ticket (a reply
 * to it then reaches that ticket). A crash leaves all of it or none: the row still `sending`, sent again
 * after its lease runs out. Locks: the outbox row, then the ticket. A row already `sent` (recorded by a
 * worker whose lease had run out and whose send was repeated) is final: nothing changes.
 */
export async function recordTelegramSent(
  scope: TxScope,
  id: number,
  telegramMessageId: number | null,
  /** The call's other messages (an album's later items): linked to the ticket too. */
  moreMessageIds: number[] = [],
): Promise<void> {
  const markSent = prepared(scope.tx, 'tt_outbox_sent', (q) =>
    q
      .update(telegramOutbox)
      .set({
        status: 'sent',
        sentAt: sql`now()`,
        attempts: sql`${telegramOutbox.attempts} + 1`,
        telegramMessageId: sql`${sql.placeholder('telegramMessageId')}`,
        lastError: null,
      })
      .where(and(eq(telegramOutbox.id, sql.placeholder('id')), ne(telegramOutbox.status, 'sent')))
      .returning({
        chatId: telegramOutbox.chatId,
        ticketId: telegramOutbox.ticketId,
        messageId: telegramOutbox.messageId,
      })
      .prepare('tt_outbox_sent'),
  );
  const [row] = await markSent.execute({ id, telegramMessageId });
  if (!row) return;
  // The delivery first: it locks the ticket, and the link's foreign key to the ticket then checks a row this
  // transaction holds. Linked first, the check's share lock would have to be upgraded to the ticket lock, and
  // two such transactions on one ticket (both holding the share lock) deadlock.
  if (row.messageId !== null) await setDelivery(scope, row.messageId, 'sent');
  if (row.ticketId !== null && telegramMessageId !== null) {
    for (const made of [telegramMessageId, ...moreMessageIds]) {
      await linkTelegramMessage(scope, {
        chatId: row.chatId,
        telegramMessageId: made,
        ticketId: row.ticketId,
        messageId: row.messageId,
      });
    }
  }
}

/**
 * Outbox row `id` failed for good (a permanent error, or out of attempts): the row is marked failed with the
 * error and its message's delivery becomes `failed` so the agent sees it, in one transaction. A row already
 * `sent` stays sent: Telegram has the message, whatever a later attempt said.
 */
export async function recordTelegramFailed(scope: TxScope, id: number, error: string): Promise<void> {
  const [row] = await scope.tx
    .update(telegramOutbox)
    .set({ status: 'failed', attempts: sql`${telegramOutbox.attempts} + 1`, lastError: error.slice(0, 1000) })
    .where(and(eq(telegramOutbox.id, id), ne(telegramOutbox.status, 'sent')))
    .returning({ messageId: telegramOutbox.messageId });
  const messageId = row?.messageId ?? null;
  if (messageId !== null) await setDelivery(scope, messageId, 'failed');
}

/** An outbox row as a reader sees it: what became of it, and when it was queued. */
export interface OutboxRow {
  dedupeKey: string;
  chatId: number;
  /** The Bot API method it calls (a reply sent with copyMessage is edited as a caption). */
  method: string;
  status: 'queued' | 'sending' | 'sent' | 'failed';
  /** The Telegram message it made, once sent. */
  telegramMessageId: number | null;
  /** When it was queued: its transaction's start, the same instant as the events that transaction wrote. */
  createdAt: string;
}

/**
 * The outbox rows queued under these dedupe keys (those that exist), e.g. the bot's new-ticket posts
 * `created:<ticketId>:<chatId>`, whose Telegram message it edits later. A unique-index lookup per key.
 */
export async function findOutboxByKeys(q: Queryable, dedupeKeys: string[]): Promise<OutboxRow[]> {
  if (dedupeKeys.length === 0) return [];
  const rows = await q
    .select({
      dedupeKey: telegramOutbox.dedupeKey,
      chatId: telegramOutbox.chatId,
      method: telegramOutbox.method,
      status: telegramOutbox.status,
      telegramMessageId: telegramOutbox.telegramMessageId,
      createdAt: telegramOutbox.createdAt,
    })
    .from(telegramOutbox)
    .where(inArray(telegramOutbox.dedupeKey, dedupeKeys));
  return rows.flatMap((r) =>
    r.dedupeKey === null ? [] : [{ ...r, dedupeKey: r.dedupeKey, createdAt: iso(r.createdAt) }],
  );
}

/** A small durable value of a worker (a cursor, a pending dialog step); null when unset. */
export async function getState(q: Queryable, key: string): Promise<unknown> {
  const select = prepared(q, 'tt_get_state', (h) =>
    h
      .select({ value: kvState.value })
      .from(kvState)
      .where(sql`${kvState.key} = ${sql.placeholder('key')}`)
      .prepare('tt_get_state'),
  );
  const rows = await select.execute({ key });
  return rows[0]?.value ?? null;
}

/** Sets (or with `null` deletes) a durable worker value in the caller's transaction. */
export async function setState(scope: TxScope, key: string, value: unknown): Promise<void> {
  if (value === null || value === undefined) {
    await scope.tx.delete(kvState).where(sql`${kvState.key} = ${key}`);
    return;
  }
  await scope.tx
    .insert(kvState)
    .values({ key, value })
    .onConflictDoUpdate({ target: kvState.key, set: { value, updatedAt: sql`now()` } });
}
