import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * Every tag ever used and how many tickets carry it now, kept by a trigger on `tickets.tags` in the writing
 * transaction (0014), so the stats and the tag list never count the tickets table.
 */
export const tags = pgTable(
  'tags',
  {
    name: text('name').primaryKey(),
    tickets: integer('tickets').notNull().default(0),
  },
  (t) => [check('tags_tickets_check', sql`${t.tickets} >= 0`)],
);
