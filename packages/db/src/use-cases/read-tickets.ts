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
  ticketStatuses,
  ValidationError,
} from '@tikethet/domain';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { toTicket, toUserSummary } from '../mappers';
import { ratings, tickets, ticketTopics, users } from '../schema';
import { prepared } from '../statements';
import { searchTickets } from './search';
import { listedTickets, listOrder, ticketFilters } from './ticket-list';

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
 * status, priority, category, assignee (me / none / id) and customer. With search text (`q`) the page is
 * the best matches instead, ranked, each with its matching message (`searchTickets`).
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
  const order = listOrder(actor, query);
  const conditions = ticketFilters(actor, query);
  if (query.q) {
    const customer = query.customer ? Number(query.customer) : undefined;
    return searchTickets(q, actor, query.q, conditions, limit, customer);
  }
  if (query.cursor) {
    const c = decodeCursor(query.cursor);
    conditions.push(
      order === 'due'
        ? sql`(${tickets.slaDueAt}, ${tickets.id}) > (${c.at}::timestamptz, ${c.id})`
        : sql`(${tickets.lastMessageAt}, ${tickets.id}) < (${c.at}::timestamptz, ${c.id})`,
    );
  }
  const rows = await listedTickets(
    q,
    actor,
    conditions.length > 0 ? and(...conditions) : undefined,
    limit + 1,
    order,
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => r.item),
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.orderedAt, id: last.item.id }) : null,
  };
}

// The three reads of getTicket, the hottest read of the API, as prepared statements (statements.ts).
// The ticket with its topic and its rating's comment (one row each at most): one round trip, not three.
const ticketById = (q: Queryable) =>
  prepared(q, 'tt_ticket_by_id', (h) =>
    h
      .select({
        ticket: tickets,
        topicChatId: ticketTopics.chatId,
        topicThreadId: ticketTopics.threadId,
        ratingComment: ratings.comment,
      })
      .from(tickets)
      .leftJoin(ticketTopics, eq(ticketTopics.ticketId, tickets.id))
      .leftJoin(ratings, eq(ratings.ticketId, tickets.id))
      .where(eq(tickets.id, sql.placeholder('id')))
      .prepare('tt_ticket_by_id'),
  );
const ticketPeople = (q: Queryable) =>
  prepared(q, 'tt_ticket_people', (h) =>
    h
      .select()
      .from(users)
      .where(inArray(users.id, [sql.placeholder('customer'), sql.placeholder('assignee')]))
      .prepare('tt_ticket_people'),
  );
const customerTicketStats = (q: Queryable) =>
  prepared(q, 'tt_customer_ticket_stats', (h) =>
    h
      .select({
        count: sql<number>`count(*)::int`,
        avg: sql<number | null>`avg(${tickets.rating})::float`,
      })
      .from(tickets)
      .where(eq(tickets.customerId, sql.placeholder('customer')))
      .prepare('tt_customer_ticket_stats'),
  );

/** One ticket with the customer's profile (for agents: ticket count, average rating) and the assignee. */
export async function getTicket(q: Queryable, actor: Actor, ticketId: number): Promise<TicketDetail> {
  const [found] = await ticketById(q).execute({ id: ticketId });
  const row = found?.ticket;
  if (!found || !row || !canViewTicket(actor, row)) throw new NotFoundError('ticket');
  const people = await ticketPeople(q).execute({
    customer: row.customerId,
    assignee: row.assigneeId ?? row.customerId,
  });
  const customer = people.find((u) => u.id === row.customerId);
  if (!customer) throw new NotFoundError('ticket');
  const assignee = row.assigneeId ? people.find((u) => u.id === row.assigneeId) : undefined;
  const statsRows = await customerTicketStats(q).execute({ customer: row.customerId });
  const s = statsRows[0];
  const staff = isStaff(actor.role);
  return {
    ...toTicket(row),
    customer: {
      ...toUserSummary(customer),
      languageCode: customer.languageCode,
      photoUrl: customer.photoUrl,
      ticketCount: s?.count ?? 1,
      averageRating: s?.avg ?? null,
      // What the team knows about the customer is never shown to the customer.
      phone: staff ? customer.phone : null,
      phoneVerified: staff ? customer.phoneVerified : false,
      note: staff ? customer.note : null,
    },
    ratingComment: found.ratingComment ?? null,
    assignee: assignee ? toUserSummary(assignee) : null,
    // Where staff open the ticket's topic in the agents' forum group; null while it has none.
    ...(staff
      ? {
          topic:
            found.topicChatId !== null && found.topicThreadId
              ? { chatId: found.topicChatId, threadId: found.topicThreadId }
              : null,
        }
      : {}),
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
