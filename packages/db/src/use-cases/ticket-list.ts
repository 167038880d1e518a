import {
  type Actor,
  ForbiddenError,
  isStaff,
  type ListTicketsQuery,
  SLA_DUE_SOON_MIN,
  type TicketListItem,
} from '@tikethet/domain';
import { and, asc, desc, eq, isNotNull, isNull, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { toTicket, toUserSummary } from '../mappers';
import { ticketListColumns, tickets, users } from '../schema';

/** The list's filters but the search text and the cursor; customers are held to their own tickets. */
export function ticketFilters(actor: Actor, query: ListTicketsQuery): SQL[] {
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
  if (query.sla === 'breached') conditions.push(sql`${tickets.slaDueAt} <= now()`);
  else if (query.sla === 'due_soon') {
    conditions.push(
      sql`${tickets.slaDueAt} > now() and ${tickets.slaDueAt} <= now() + ${sql.raw(`interval '${SLA_DUE_SOON_MIN} minutes'`)}`,
    );
  }
  // `@>` is the operator the GIN index on tags serves (0015).
  if (query.tag) conditions.push(sql`${tickets.tags} @> array[${query.tag}]::text[]`);
  return conditions;
}

/**
 * The order of a list: `due` (nearest SLA due time first, only tickets with a running timer) for `sort=due`
 * and for the `sla` filters, which walk the due-time index (0010); else newest activity first. Staff only:
 * a customer's own tickets have no due-time index of their own.
 */
export function listOrder(actor: Actor, query: ListTicketsQuery): ListOrder {
  const wantsDue = query.sort === 'due' || query.sla !== undefined;
  if (wantsDue && !isStaff(actor.role)) {
    const path = query.sla !== undefined ? 'sla' : 'sort';
    throw new ForbiddenError('SLA filters and the due order are for staff', [
      { path, message: 'staff only' },
    ]);
  }
  return wantsDue ? 'due' : 'recent';
}

export type ListOrder = 'recent' | 'due';

/**
 * `status in (…)` with the values written into the statement: the planner must see them to match the
 * partial indexes of the working statuses (a bound array matches none). Values are the validated enum.
 */
function statusIn(statuses: readonly string[]): SQL {
  const list = sql.join(
    statuses.map((s) => sql.raw(`'${s.replace(/[^a-z]/g, '')}'`)),
    sql`, `,
  );
  return sql`${tickets.status} in (${list})`;
}

export interface ListedTicket {
  item: TicketListItem;
  /** Postgres's own text of the order's time, `last_message_at` or `sla_due_at` (the cursor keeps it). */
  orderedAt: string;
}

/**
 * The list items of the tickets `where` selects, newest activity first, at most `limit`: the ticket columns a
 * ticket's JSON shows (`ticketListColumns`), the customer, and the unread count — the last two read for these
 * rows only.
 */
export async function listedTickets(
  q: Queryable,
  actor: Actor,
  where: SQL | undefined,
  limit: number,
  order: ListOrder = 'recent',
): Promise<ListedTicket[]> {
  const due = order === 'due';
  const page = q
    .select(ticketListColumns)
    .from(tickets)
    .where(due ? and(where, isNotNull(tickets.slaDueAt)) : where)
    .orderBy(
      ...(due ? [asc(tickets.slaDueAt), asc(tickets.id)] : [desc(tickets.lastMessageAt), desc(tickets.id)]),
    )
    .limit(limit)
    .as('page');
  // Unread: messages from the other side past the caller's read marker.
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
    .orderBy(...(due ? [asc(page.slaDueAt), asc(page.id)] : [desc(page.lastMessageAt), desc(page.id)]));
  return rows.map((r) => ({
    item: { ...toTicket(r.ticket), unread: r.unread, customer: toUserSummary(r.customer) },
    orderedAt: (due ? r.ticket.slaDueAt : r.ticket.lastMessageAt) ?? r.ticket.lastMessageAt,
  }));
}

/** The page subquery's fields under the ticket's own keys (drizzle reads them back with their types). */
function pageColumns<T extends Record<keyof typeof ticketListColumns, unknown>>(page: T) {
  return Object.fromEntries(
    Object.keys(ticketListColumns).map((k) => [k, page[k as keyof typeof ticketListColumns]]),
  ) as {
    [K in keyof typeof ticketListColumns]: T[K];
  };
}
