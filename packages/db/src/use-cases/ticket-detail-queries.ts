import { eq, inArray, sql } from 'drizzle-orm';
import { type Database, isTransaction, type Queryable } from '../client';
import { tickets, users } from '../schema';

/**
 * The three reads of getTicket as named prepared statements, built once per Database: the hottest read of
 * the API then spends no time rebuilding SQL per request (drizzle's builder costs ~0.1 ms a query) and
 * Postgres plans each statement once per connection. Inside a transaction the ad-hoc builder is used.
 */
function prepare(db: Database) {
  return {
    ticket: db
      .select()
      .from(tickets)
      .where(eq(tickets.id, sql.placeholder('id')))
      .prepare('tt_ticket_by_id'),
    people: db
      .select()
      .from(users)
      .where(inArray(users.id, [sql.placeholder('customer'), sql.placeholder('assignee')]))
      .prepare('tt_ticket_people'),
    customerStats: db
      .select({
        count: sql<number>`count(*)::int`,
        avg: sql<number | null>`avg(${tickets.rating})::float`,
      })
      .from(tickets)
      .where(eq(tickets.customerId, sql.placeholder('customer')))
      .prepare('tt_customer_ticket_stats'),
  };
}

type Prepared = ReturnType<typeof prepare>;
const cache = new WeakMap<Database, Prepared>();

export function ticketDetailQueries(q: Queryable) {
  if (!isTransaction(q)) {
    const db = q as Database;
    let prepared = cache.get(db);
    if (!prepared) {
      prepared = prepare(db);
      cache.set(db, prepared);
    }
    const p = prepared;
    return {
      ticket: (id: number) => p.ticket.execute({ id }),
      people: (customer: number, assignee: number | null) =>
        p.people.execute({ customer, assignee: assignee ?? customer }),
      customerStats: (customer: number) => p.customerStats.execute({ customer }),
    };
  }
  return {
    ticket: (id: number) => q.select().from(tickets).where(eq(tickets.id, id)),
    people: (customer: number, assignee: number | null) =>
      q
        .select()
        .from(users)
        .where(inArray(users.id, assignee ? [customer, assignee] : [customer])),
    customerStats: (customer: number) =>
      q
        .select({
          count: sql<number>`count(*)::int`,
          avg: sql<number | null>`avg(${tickets.rating})::float`,
        })
        .from(tickets)
        .where(eq(tickets.customerId, customer)),
  };
}
