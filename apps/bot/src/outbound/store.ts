import { type DbClient, runPgTransaction } from '@tikethet/db';

export interface OutboxRow {
  id: number;
  chatId: number;
  method: string;
  payload: Record<string, unknown>;
  attempts: number;
  ticketId: number | null;
  /** Posted into its ticket's forum topic: message_thread_id is filled in when it is sent. */
  inTopic: boolean;
}

interface RawRow {
  id: number;
  chat_id: number;
  method: string;
  payload: Record<string, unknown>;
  attempts: number;
  ticket_id: number | null;
  in_topic: boolean;
}

const toRow = (r: RawRow): OutboxRow => ({
  id: r.id,
  chatId: r.chat_id,
  method: r.method,
  payload: r.payload,
  attempts: r.attempts,
  ticketId: r.ticket_id,
  inTopic: r.in_topic,
});

/**
 * How long a claimed row stays this worker's without a renewal. Workers renew what they hold every
 * LEASE_RENEW_MS; a crashed worker's rows return to the queue once their lease runs out (never sooner: another
 * instance may be sending them).
 */
export const LEASE_MS = 120_000;
export const LEASE_RENEW_MS = 30_000;
const LEASE = `${LEASE_MS / 1000} seconds`;
/** The advisory lock key the claims of every bot instance take turns on ('tt_outbox_claim' as a number). */
export const CLAIM_LOCK = 0x7474_6f63;

/**
 * The queue's rows in telegram_outbox: claimed with FOR UPDATE SKIP LOCKED, leased, retried, released. A row's
 * outcome (sent or failed, with its message's delivery) is recorded by @tikethet/db's recordTelegramSent and
 * recordTelegramFailed, in one transaction.
 */
export function createOutboxStore({ pool }: DbClient) {
  return {
    /** Rows whose lease ran out (their worker crashed or hung) go back to the queue. */
    async requeueExpired(): Promise<number> {
      const result = await pool.query(
        `update telegram_outbox set status = 'queued', next_attempt_at = now()
         where status = 'sending' and next_attempt_at < now()`,
      );
      return result.rowCount ?? 0;
    },

    /** The rows this worker still holds stay its own for another lease. */
    async renew(ids: number[]): Promise<void> {
      if (ids.length === 0) return;
      await pool.query(
        `update telegram_outbox set next_attempt_at = now() + interval '${LEASE}'
         where id = any($1::bigint[]) and status = 'sending'`,
        [ids],
      );
    },

    /**
     * Due rows oldest first, skipping chats whose earlier rows some worker (this one or another instance)
     * is still sending: a chat's messages leave in order, from one worker at a time. Claims of all instances
     * take turns (a transaction-scoped advisory lock, then the UPDATE with a snapshot taken after it), so a
     * claim always sees the rows another instance has just claimed as `sending`.
     */
    async claim(limit: number): Promise<OutboxRow[]> {
      return runPgTransaction(pool, async (client) => {
        await client.query('select pg_advisory_xact_lock($1)', [CLAIM_LOCK]);
        const result = await client.query<RawRow>(
          `update telegram_outbox o set status = 'sending', next_attempt_at = now() + interval '${LEASE}'
           where o.id in (
             select q.id from telegram_outbox q
             where q.status = 'queued' and q.next_attempt_at <= now()
               and not exists (select 1 from telegram_outbox s where s.chat_id = q.chat_id and s.status = 'sending')
             order by q.id limit $1 for update skip locked)
           returning o.id, o.chat_id, o.method, o.payload, o.attempts, o.ticket_id, o.in_topic`,
          [limit],
        );
        return result.rows.map(toRow).sort((a, b) => a.id - b.id);
      });
    },

    /**
     * A transient failure: the row (one more attempt) and the chat's later rows back to the queue after
     * `delayMs`. A row another worker has meanwhile sent stays sent.
     */
    async retryLater(id: number, laterIds: number[], delayMs: number, error: string): Promise<void> {
      await pool.query(
        `update telegram_outbox set status = 'queued',
           attempts = attempts + case when id = $1 then 1 else 0 end,
           last_error = case when id = $1 then $3 else last_error end,
           next_attempt_at = now() + make_interval(secs => $2::float8 / 1000)
         where (id = $1 and status <> 'sent') or (id = any($4::bigint[]) and status = 'sending')`,
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
  };
}

export type OutboxStore = ReturnType<typeof createOutboxStore>;
