import { sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { prepared } from '../prepared';
import { kvState, telegramOutbox } from '../schema';
import type { TxScope } from '../scope';

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
    })
    .onConflictDoNothing()
    .returning({ id: telegramOutbox.id });
  return rows.length === 1;
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
