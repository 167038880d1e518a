import {
  type Actor,
  acceptsMessage,
  canViewTicket,
  isStaff,
  type ListTicketsQuery,
  listTicketsQuerySchema,
  NotFoundError,
  parseInput,
  type TicketDetail,
  type TicketPage,
  type TicketStatus,
  ticketStatuses,
  ValidationError,
} from '@tikethet/domain';
import { and, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { toTicket, toUserSummary } from '../mappers';
import { prepared } from '../prepared';
import { ticketColumns, tickets, users } from '../schema';
import { ticketSearchCondition } from './search';
import { ticketDetailQueries } from './ticket-detail-queries';

interface Cursor {
  at: string;
  id: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.at, c.id])).toString('base64url');
}

/** Postgres's text of a timestamptz (what a cursor carries): `2026-11-24 08:15:16.008115+00`. */
const PG_TIMESTAMPTZ =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([+-]\d{2}(?::\d{2}){0,2})$/;
const MAX_TICKET_ID = 2_147_483_647;

/** A real calendar date and time of day, so Postgres never refuses the text (`Date.parse` takes "1"). */
function isPgTimestamptz(text: string): boolean {
  const m = PG_TIMESTAMPTZ.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  return (
    year >= 1970 &&
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}

/** Only the shape this server writes passes: anything else is a 400 naming `cursor`, never a 500. */
function decodeCursor(raw: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      typeof parsed[0] === 'string' &&
      isPgTimestamptz(parsed[0]) &&
      Number.isInteger(parsed[1]) &&
      parsed[1] >= 1 &&
      parsed[1] <= MAX_TICKET_ID
    ) {
      return { at: parsed[0], id: parsed[1] as number };
    }
  } catch {
    // fall through
  }
  throw new ValidationError([{ path: 'cursor', message: 'is not a cursor this server issued' }]);
}

/**
 * Tickets newest activity first with cursor pagination. Customers see only their own; staff filter by
 * status, priority, category, assignee (me / none / id), customer and search text.
 *
 * Every filter walks an index in `(last_message_at desc, id desc)` order and stops after `limit + 1` rows
 * (0006: per status, priority, category, assignee, customer, the unassigned and each agent's working
 * tickets); the customer and the unread count are read only for those rows.
 */
export async function listTickets(
  q: Queryable,
  actor: Actor,
  rawQuery: Record<string, unknown> = {},
): Promise<TicketPage> {
  const query: ListTicketsQuery = parseInput(listTicketsQuerySchema, rawQuery);
  const limit = query.limit ?? 20;
  const conditions: SQL[] = [];
  if (!isStaff(actor.role)) conditions.push(eq(tickets.customerId, actor.id));
  else if (query.customer) conditions.push(eq(tickets.customerId, Number(query.customer)));
  if (query.status) conditions.push(statusIn(query.status));
  if (query.priority) conditions.push(eq(tickets.priority, query.priority));
  if (query.category === 'none') conditions.push(isNull(tickets.categoryId));
  else if (query.category) conditions.push(eq(tickets.categoryId, Number(query.category)));
  if (query.assignee === 'me') conditions.push(eq(tickets.assigneeId, actor.id));
  else if (query.assignee === 'none') conditions.push(isNull(tickets.assigneeId));
  else if (query.assignee) conditions.push(eq(tickets.assigneeId, Number(query.assignee)));
  if (query.q) conditions.push(ticketSearchCondition(query.q));
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    conditions.push(sql`(${tickets.lastMessageAt}, ${tickets.id}) < (${c.at}::timestamptz, ${c.id})`);
  }
  const page = q
    .select(ticketColumns)
    .from(tickets)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(tickets.lastMessageAt), desc(tickets.id))
    .limit(limit + 1)
    .as('page');
  // Unread: messages from the other side past the caller's read marker, counted for the page's rows only.
  const otherSide = isStaff(actor.role) ? sql`'customer'` : sql`'agent'`;
  const rows = await q
    .select({
      ticket: pageColumns(page),
      customer: {
        id: users.id,
        firstName: users.firstName,
        lastName: users.lastName,
        username: users.username,
        role: users.role,
      },
      unread: sql<number>`(select count(*)::int from messages m where m.ticket_id = "page"."id" and m.kind = ${otherSide}
        and m.seq > coalesce((select r.last_read_seq from ticket_reads r where r.ticket_id = "page"."id" and r.user_id = ${actor.id}), 0))`,
    })
    .from(page)
    .innerJoin(users, eq(users.id, page.customerId))
    .orderBy(desc(page.lastMessageAt), desc(page.id));
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items: items.map((r) => ({
      ...toTicket(r.ticket),
      unread: r.unread,
      customer: toUserSummary(r.customer),
    })),
    // The cursor keeps Postgres's own text of the time (microseconds, offset), which it reads back exactly;
    // formatting it in SQL cost a to_char on every row before the sort.
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ at: last.ticket.lastMessageAt, id: last.ticket.id })
        : null,
  };
}

/**
 * `status in (…)` with the values written into the statement: the planner must see them to match the
 * partial indexes of the working statuses (a bound array matches none). Values are the validated enum.
 */
function statusIn(statuses: readonly TicketStatus[]): SQL {
  const list = sql.join(
    statuses.map((s) => sql.raw(`'${s}'`)),
    sql`, `,
  );
  return sql`${tickets.status} in (${list})`;
}

/** The page subquery's fields under the ticket's own keys (drizzle reads them back with their types). */
function pageColumns<T extends Record<keyof typeof ticketColumns, unknown>>(page: T) {
  return Object.fromEntries(
    Object.keys(ticketColumns).map((k) => [k, page[k as keyof typeof ticketColumns]]),
  ) as {
    [K in keyof typeof ticketColumns]: T[K];
  };
}

/** One ticket with the customer's profile (for agents: ticket count, average rating) and the assignee. */
export async function getTicket(q: Queryable, actor: Actor, ticketId: number): Promise<TicketDetail> {
  const reads = ticketDetailQueries(q);
  const rows = await reads.ticket(ticketId);
  const row = rows[0];
  if (!row || !canViewTicket(actor, row)) throw new NotFoundError('ticket');
  const people = await reads.people(row.customerId, row.assigneeId);
  const customer = people.find((u) => u.id === row.customerId);
  if (!customer) throw new NotFoundError('ticket');
  const assignee = row.assigneeId ? people.find((u) => u.id === row.assigneeId) : undefined;
  const statsRows = await reads.customerStats(row.customerId);
  const s = statsRows[0];
  return {
    ...toTicket(row),
    customer: {
      ...toUserSummary(customer),
      languageCode: customer.languageCode,
      photoUrl: customer.photoUrl,
      ticketCount: s?.count ?? 1,
      averageRating: s?.avg ?? null,
    },
    assignee: assignee ? toUserSummary(assignee) : null,
  };
}

/** The bare ticket row for permission checks (gateway subscriptions, bot routing); null when missing. */
export async function findTicket(q: Queryable, ticketId: number) {
  const rows = await q.select().from(tickets).where(eq(tickets.id, ticketId));
  return rows[0] ? toTicket(rows[0]) : null;
}

/** Statuses of a ticket a plain message from its customer goes to (the bot's routing): those that take one. */
export const ROUTABLE_STATUSES = ticketStatuses.filter((s) => acceptsMessage(s, 'customer'));

/** The customer's newest ticket that still takes messages (for the bot's routing of a plain message). */
export async function latestOpenTicket(q: Queryable, customerId: number) {
  const select = prepared(q, 'tt_latest_open_ticket', (h) =>
    h
      .select()
      .from(tickets)
      .where(
        and(
          eq(tickets.customerId, sql.placeholder('customerId')),
          inArray(tickets.status, ROUTABLE_STATUSES),
        ),
      )
      .orderBy(desc(tickets.lastMessageAt), desc(tickets.id))
      .limit(1)
      .prepare('tt_latest_open_ticket'),
  );
  const rows = await select.execute({ customerId });
  return rows[0] ? toTicket(rows[0]) : null;
}
