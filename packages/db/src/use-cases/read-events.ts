import type { PendingEventSource } from '@tikethet/bus';
import type { TicketEvent } from '@tikethet/domain';
import { and, asc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import { type Database, type Queryable, runTransaction } from '../client';
import { iso } from '../mappers';
import { withConnectionRetry } from '../retry';
import { events, tickets } from '../schema';

type EventRow = typeof events.$inferSelect;

export function toTicketEvent(row: EventRow): TicketEvent {
  return {
    id: row.id,
    ticketId: row.ticketId,
    seq: row.seq,
    customerId: row.customerId,
    internal: row.internal,
    actorId: row.actorId,
    createdAt: iso(row.createdAt),
    type: row.type,
    data: row.data,
  } as TicketEvent;
}

/** The ticket's events with seq > afterSeq, in seq order (resume and catch-up read this). */
export async function readEvents(
  q: Queryable,
  ticketId: number,
  afterSeq: number,
  limit = 1000,
): Promise<TicketEvent[]> {
  const rows = await q
    .select()
    .from(events)
    .where(and(eq(events.ticketId, ticketId), gt(events.seq, afterSeq)))
    .orderBy(asc(events.seq))
    .limit(limit);
  return rows.map(toTicketEvent);
}

/** The last seq of each of these tickets, in one query (the gateway's sweep compares them with its cursors). */
export async function lastSeqsOf(q: Queryable, ticketIds: readonly number[]): Promise<Map<number, number>> {
  if (ticketIds.length === 0) return new Map();
  const rows = await q
    .select({ id: tickets.id, lastSeq: tickets.lastSeq })
    .from(tickets)
    .where(sql`${tickets.id} = any(${sql.param([...ticketIds])}::int[])`);
  return new Map(rows.map((row) => [row.id, row.lastSeq]));
}

/** The id of the newest event (0 for none): where a new reader of the whole log starts. */
export async function lastEventId(q: Queryable): Promise<number> {
  const rows = await q.select({ id: sql<number>`coalesce(max(${events.id}), 0)::bigint` }).from(events);
  return Number(rows[0]?.id ?? 0);
}

/** Events of all tickets after a global event id (the agents' queue catch-up and the bot's backlog). */
export async function readEventsSince(q: Queryable, afterId: number, limit = 1000): Promise<TicketEvent[]> {
  const rows = await q
    .select()
    .from(events)
    .where(gt(events.id, afterId))
    .orderBy(asc(events.id))
    .limit(limit);
  return rows.map(toTicketEvent);
}

const pendingFor = (minAgeMs: number) =>
  and(isNull(events.publishedAt), lt(events.createdAt, sql`now() - ${`${minAgeMs} milliseconds`}::interval`));

async function markPublished(q: Queryable, ids: number[]) {
  if (ids.length === 0) return;
  await q.update(events).set({ publishedAt: sql`now()` }).where(inArray(events.id, ids));
}

/** The relay's view of the log: committed events the bus has not confirmed yet. */
export function createPendingEventSource(db: Database): PendingEventSource {
  return {
    async unpublished(limit, minAgeMs) {
      const rows = await db
        .select()
        .from(events)
        .where(pendingFor(minAgeMs))
        .orderBy(asc(events.id))
        .limit(limit);
      return rows.map(toTicketEvent);
    },
    markPublished: (ids) => markPublished(db, ids),
    // Row locks taken with SKIP LOCKED and held until the marks commit: the relays of several API instances
    // share a backlog instead of each publishing all of it.
    drain: (limit, minAgeMs, publish) =>
      withConnectionRetry(() =>
        runTransaction(db, async (tx) => {
          const rows = await tx
            .select()
            .from(events)
            .where(pendingFor(minAgeMs))
            .orderBy(asc(events.id))
            .limit(limit)
            .for('update', { skipLocked: true });
          if (rows.length === 0) return 0;
          await markPublished(tx, await publish(rows.map(toTicketEvent)));
          return rows.length;
        }),
      ),
  };
}
