import type { Logger } from '@tikethet/config';
import {
  type Actor,
  type BusMessage,
  canViewTicket,
  type NewTicketEvent,
  NotFoundError,
  type Role,
  type SlaAlert,
  type Ticket,
  type TicketEvent,
} from '@tikethet/domain';
import { eq, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import { type Database, runTransaction, type Transaction } from './client';
import { iso, toTicket } from './mappers';
import type { EventPublisher } from './publisher';
import { withConnectionRetry } from './retry';
import { events, tickets } from './schema';
import { prepared } from './statements';

export interface Deps {
  db: Database;
  publisher: EventPublisher;
  logger: Logger;
}

/** Who wrote a message, as messages carry it. */
export interface AuthorRow {
  id: number;
  firstName: string;
  lastName: string | null;
  username: string | null;
  role: Role;
}

/** One open transaction and what it will publish once it commits. */
export interface TxScope {
  tx: Transaction;
  events: TicketEvent[];
  extra: BusMessage[];
  /** Users written in this transaction (upsertUser), so a message by them needs no second read. */
  authors?: Map<number, AuthorRow>;
}

/**
 * Runs `fn` in one transaction; its events reach the bus only after the commit. A transaction whose
 * connection died (terminated backend, restarted server) is run again from the start.
 */
export async function inTransaction<T>(deps: Deps, fn: (scope: TxScope) => Promise<T>): Promise<T> {
  let pendingEvents: TicketEvent[] = [];
  let extra: BusMessage[] = [];
  const result = await withConnectionRetry(() => {
    pendingEvents = [];
    extra = [];
    return runTransaction(deps.db, (tx) => fn({ tx, events: pendingEvents, extra }));
  });
  if (pendingEvents.length > 0 || extra.length > 0) deps.publisher.afterCommit(pendingEvents, extra);
  return result;
}

export type TicketRow = typeof tickets.$inferSelect;
/** Column values (or SQL expressions) for a ticket UPDATE. */
export type TicketSet = PgUpdateSetSource<typeof tickets>;

/** Locks the ticket row for the rest of the transaction (all writers of one ticket queue here). */
export async function lockTicket(scope: TxScope, ticketId: number): Promise<TicketRow | undefined> {
  const select = prepared(scope.tx, 'tt_lock_ticket', (q) =>
    q
      .select()
      .from(tickets)
      .where(eq(tickets.id, sql.placeholder('id')))
      .for('update')
      .prepare('tt_lock_ticket'),
  );
  const rows = await select.execute({ id: ticketId });
  return rows[0];
}

/**
 * Takes `count` seqs for the ticket and applies `set` in the same UPDATE, under the row lock.
 * Returns the updated row; the new seqs are `lastSeq - count + 1 .. lastSeq`.
 */
export async function bumpTicket(
  scope: TxScope,
  ticketId: number,
  count: number,
  set: TicketSet = {},
): Promise<TicketRow> {
  const rows = await scope.tx
    .update(tickets)
    .set({ ...set, lastSeq: sql`${tickets.lastSeq} + ${count}` })
    .where(eq(tickets.id, ticketId))
    .returning();
  const row = rows[0];
  if (!row) throw new Error(`ticket ${ticketId} vanished under its lock`);
  return row;
}

/** Appends one event with the given seq to the log, in the scope's transaction. */
export async function appendEvent(
  scope: TxScope,
  ticket: Pick<TicketRow, 'id' | 'customerId'>,
  seq: number,
  event: NewTicketEvent,
): Promise<TicketEvent> {
  const insert = prepared(scope.tx, 'tt_append_event', (q) =>
    q
      .insert(events)
      .values({
        ticketId: sql.placeholder('ticketId'),
        seq: sql.placeholder('seq'),
        type: sql.placeholder('type'),
        customerId: sql.placeholder('customerId'),
        internal: sql.placeholder('internal'),
        actorId: sql.placeholder('actorId'),
        data: sql.placeholder('data'),
      })
      .returning({ id: events.id, createdAt: events.createdAt })
      .prepare('tt_append_event'),
  );
  const rows = await insert.execute(eventRow({ ticket, seq, event }));
  const row = rows[0];
  if (!row) throw new Error('event insert returned nothing');
  const stored = storedEvent(event, ticket, seq, row);
  scope.events.push(stored);
  return stored;
}

/** An event to append: its ticket, its seq and what happened. */
export interface PlannedEvent {
  ticket: Pick<TicketRow, 'id' | 'customerId'>;
  seq: number;
  event: NewTicketEvent;
}

/** The events row of a planned event. */
function eventRow({ ticket, seq, event }: PlannedEvent) {
  return {
    ticketId: ticket.id,
    seq,
    type: event.type,
    customerId: ticket.customerId,
    internal: event.internal,
    actorId: event.actorId,
    // The object: the jsonb column's encoder serializes it (a string here was encoded again and stored as a
    // JSON string, not an object).
    data: event.data,
  };
}

/** Appends several events in one statement, ids in the order given (give them in seq order). */
export async function appendEvents(scope: TxScope, planned: PlannedEvent[]): Promise<TicketEvent[]> {
  if (planned.length === 0) return [];
  const rows = await scope.tx
    .insert(events)
    .values(planned.map(eventRow))
    .returning({ id: events.id, createdAt: events.createdAt });
  const stored = planned.map(({ ticket, seq, event }, i) => {
    const row = rows[i];
    if (!row) throw new Error('event insert returned too few rows');
    return storedEvent(event, ticket, seq, row);
  });
  scope.events.push(...stored);
  return stored;
}

/** The event as it was stored (and is published): what was appended plus the row's id, seq and time. */
export function storedEvent(
  event: NewTicketEvent,
  ticket: Pick<TicketRow, 'id' | 'customerId'>,
  seq: number,
  row: { id: number; createdAt: string | Date },
): TicketEvent {
  return {
    ...event,
    id: row.id,
    ticketId: ticket.id,
    seq,
    customerId: ticket.customerId,
    createdAt: iso(row.createdAt),
  } as TicketEvent;
}

/** Loads a ticket the actor may see, locked for update; otherwise "not found" (never "forbidden"). */
export async function lockVisibleTicket(scope: TxScope, actor: Actor, ticketId: number): Promise<TicketRow> {
  const row = await lockTicket(scope, ticketId);
  if (!row || !canViewTicket(actor, row)) throw new NotFoundError('ticket');
  return row;
}

/**
 * Applies a change of the ticket's own fields under its lock and announces it as `ticket.updated` (by
 * `actorId`; null for the system: auto-assignment, the SLA timer). `version` moves unless `keepVersion`
 * (the timer's alert state is not something a client edits, so it must not fail their next patch).
 */
export async function changeTicket(
  scope: TxScope,
  row: TicketRow,
  set: TicketSet,
  change: { actorId: number | null; changes: string[]; slaAlert?: SlaAlert; keepVersion?: boolean },
): Promise<Ticket> {
  const version = change.keepVersion ? {} : { version: row.version + 1, updatedAt: sql`now()` };
  const updated = await bumpTicket(scope, row.id, 1, { ...set, ...version });
  const ticket = toTicket(updated);
  await appendEvent(scope, updated, updated.lastSeq, {
    type: 'ticket.updated',
    internal: false,
    actorId: change.actorId,
    data: {
      ticket,
      changes: change.changes,
      ...(change.slaAlert ? { slaAlert: change.slaAlert } : {}),
    },
  });
  return ticket;
}
