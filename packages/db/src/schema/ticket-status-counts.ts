import { sql } from 'drizzle-orm';
import { check, integer, pgTable, smallint } from 'drizzle-orm/pg-core';

/**
 * Tickets per status, kept by triggers (migration 0007) in the writing transaction and spread over 16 slots
 * (ticket id % 16) so concurrent writers do not queue on one row; a reader sums the slots.
 */
export const ticketStatusCounts = pgTable(
  'ticket_status_counts',
  {
    slot: smallint('slot').primaryKey(),
    new: integer('new').notNull().default(0),
    open: integer('open').notNull().default(0),
    pending: integer('pending').notNull().default(0),
    resolved: integer('resolved').notNull().default(0),
    closed: integer('closed').notNull().default(0),
  },
  (t) => [check('ticket_status_counts_slot_check', sql`${t.slot} between 0 and 15`)],
);
