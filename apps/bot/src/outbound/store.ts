import type { DbClient } from '@tikethet/db';

type Pool = DbClient['pool'];

export interface OutboxRow {
  id: number;
  chatId: number;
  method: string;
  payload: Record<string, unknown>;
  ticketId: number | null;
  messageId: number | null;
  attempts: number;
}

interface RawRow {
  id: number;
  chat_id: number;
  method: string;
  payload: Record<string, unknown>;
  ticket_id: number | null;
  message_id: number | null;
  attempts: number;
}

const toRow = (r: RawRow): OutboxRow => ({
  id: r.id,
  chatId: r.chat_id,
  method: r.method,
  payload: r.payload,
  ticketId: r.ticket_id,
  messageId: r.message_id,
  attempts: r.attempts,
});

/** How long a claimed row belongs to this worker before another may take it back. */
const LEASE = '10 minutes';

/** The queue's rows in telegram_outbox: claimed with FOR UPDATE SKIP LOCKED, leased, completed. */
export function createOutboxStore(pool: Pool) {
  return {
    /** At start (one polling/worker instance): rows a crashed run left in 'sending' go back to the queue. */
    async requeueStuck(onlyExpired: boolean): Promise<number> {
      const result = await pool.query(
        `update telegram_outbox set status = 'queued', next_attempt_at = now()
         where status = 'sending' ${onlyExpired ? 'and next_attempt_at < now()' : ''}`,
      );
      return result.rowCount ?? 0;
    },

    /** Due rows oldest first, skipping chats this worker already holds (their order stays per chat). */
    async claim(limit: number, heldChats: number[]): Promise<OutboxRow[]> {
      const result = await pool.query<RawRow>(
        `update telegram_outbox o set status = 'sending', next_attempt_at = now() + interval '${LEASE}'
         where o.id in (
           select id from telegram_outbox
           where status = 'queued' and next_attempt_at <= now() and not (chat_id = any($2::bigint[]))
           order by id limit $1 for update skip locked)
         returning o.id, o.chat_id, o.method, o.payload, o.ticket_id, o.message_id, o.attempts`,
        [limit, heldChats],
      );
      return result.rows.map(toRow).sort((a, b) => a.id - b.id);
    },

    async markSent(id: number, telegramMessageId: number | null): Promise<void> {
      await pool.query(
        `update telegram_outbox set status = 'sent', sent_at = now(), attempts = attempts + 1,
         telegram_message_id = $2, last_error = null where id = $1`,
        [id, telegramMessageId],
      );
    },

    /** A transient failure: the row (one more attempt) and the chat's later rows back to the queue after `delayMs`. */
    async retryLater(id: number, laterIds: number[], delayMs: number, error: string): Promise<void> {
      await pool.query(
        `update telegram_outbox set status = 'queued',
           attempts = attempts + case when id = $1 then 1 else 0 end,
           last_error = case when id = $1 then $3 else last_error end,
           next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
         where id = $1 or (id = any($4::bigint[]) and status = 'sending')`,
        [id, delayMs, error.slice(0, 1000), laterIds],
      );
    },

    /** Rows held in memory and not tried: back to the queue unchanged (due after `delayMs`). */
    async release(ids: number[], delayMs = 0): Promise<void> {
      if (ids.length === 0) return;
      await pool.query(
        `update telegram_outbox set status = 'queued', next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
         where id = any($1::bigint[]) and status = 'sending'`,
        [ids, delayMs],
      );
    },

    async markFailed(id: number, error: string): Promise<void> {
      await pool.query(
        `update telegram_outbox set status = 'failed', attempts = attempts + 1, last_error = $2 where id = $1`,
        [id, error.slice(0, 1000)],
      );
    },
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
