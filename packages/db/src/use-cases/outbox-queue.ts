import { type SQL, sql } from 'drizzle-orm';
import { type Database, runTransaction } from '../client';
import { telegramOutbox as o } from '../schema';

/** A claimed row of the Telegram outbox, as the bot's queue sends it. */
export interface ClaimedOutboxRow {
  id: number;
  chatId: number;
  method: string;
  payload: Record<string, unknown>;
  attempts: number;
  ticketId: number | null;
  /** Posted into its ticket's forum topic: message_thread_id is filled in when it is sent. */
  inTopic: boolean;
}

/**
 * How long a claimed row stays its worker's without a renewal. Workers renew what they hold every
 * OUTBOX_LEASE_RENEW_MS; a crashed worker's rows return to the queue once their lease runs out (never sooner:
 * another instance may be sending them).
 */
export const OUTBOX_LEASE_MS = 120_000;
export const OUTBOX_LEASE_RENEW_MS = 30_000;
/** The advisory lock key the claims of every bot instance take turns on ('tt_outbox_claim' as a number). */
export const OUTBOX_CLAIM_LOCK = 0x7474_6f63;

const lease = sql.raw(`interval '${OUTBOX_LEASE_MS / 1000} seconds'`);
const after = (delayMs: number): SQL => sql`now() + make_interval(secs => ${delayMs}::float8 / 1000)`;
const ids = (list: number[]): SQL => sql`${sql.param(list)}::bigint[]`;

async function rowCount(db: Database, statement: SQL): Promise<number> {
  return (await db.execute(statement)).rowCount ?? 0;
}

/**
 * The queue's rows in telegram_outbox: claimed with FOR UPDATE SKIP LOCKED, leased, retried, released. A row's
 * outcome (sent or failed, with its message's delivery) is recorded by `recordTelegramSent` and
 * `recordTelegramFailed`, in one transaction with what it changes.
 */
export function createOutboxQueue(db: Database) {
  return {
    /** Rows whose lease ran out (their worker crashed or hung) go back to the queue. */
    requeueExpired: (): Promise<number> =>
      rowCount(
        db,
        sql`update ${o} set status = 'queued', next_attempt_at = now()
        where status = 'sending' and next_attempt_at < now()`,
      ),

    /** The rows this worker still holds stay its own for another lease. */
    async renew(held: number[]): Promise<void> {
      if (held.length === 0) return;
      await db.execute(sql`update ${o} set next_attempt_at = now() + ${lease}
        where id = any(${ids(held)}) and status = 'sending'`);
    },

    /**
     * Due rows oldest first, skipping chats whose earlier rows some worker (this one or another instance)
     * is still sending: a chat's messages leave in order, from one worker at a time. Claims of all instances
     * take turns (a transaction-scoped advisory lock, then the UPDATE with a snapshot taken after it), so a
     * claim always sees the rows another instance has just claimed as `sending`.
     */
    claim: (limit: number): Promise<ClaimedOutboxRow[]> =>
      runTransaction(db, async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${OUTBOX_CLAIM_LOCK})`);
        const result = await tx.execute<{ [K in keyof ClaimedOutboxRow]: ClaimedOutboxRow[K] }>(
          sql`update ${o} set status = 'sending', next_attempt_at = now() + ${lease}
          where ${o.id} in (
            select q.id from ${o} q
            where q.status = 'queued' and q.next_attempt_at <= now()
              and not exists (select 1 from ${o} s where s.chat_id = q.chat_id and s.status = 'sending')
            order by q.id limit ${limit} for update skip locked)
          returning id, chat_id as "chatId", method, payload, attempts, ticket_id as "ticketId",
            in_topic as "inTopic"`,
        );
        return [...result.rows].sort((a, b) => a.id - b.id);
      }),

    /**
     * A transient failure: the row (one more attempt) and the chat's later rows back to the queue after
     * `delayMs`. A row another worker has meanwhile sent stays sent.
     */
    async retryLater(id: number, laterIds: number[], delayMs: number, error: string): Promise<void> {
      await db.execute(sql`update ${o} set status = 'queued',
          attempts = attempts + case when id = ${id} then 1 else 0 end,
          last_error = case when id = ${id} then ${error.slice(0, 1000)} else last_error end,
          next_attempt_at = ${after(delayMs)}
        where (id = ${id} and status <> 'sent') or (id = any(${ids(laterIds)}) and status = 'sending')`);
    },

    /** Rows held in memory and not tried: back to the queue unchanged (due after `delayMs`). */
    async release(held: number[], delayMs = 0): Promise<void> {
      if (held.length === 0) return;
      await db.execute(sql`update ${o} set status = 'queued', next_attempt_at = ${after(delayMs)}
        where id = any(${ids(held)}) and status = 'sending'`);
    },
  };
}

export type OutboxQueue = ReturnType<typeof createOutboxQueue>;
