import { date, integer, pgTable, primaryKey, smallint } from 'drizzle-orm/pg-core';

/**
 * The daily counts behind GET /stats, kept by triggers (migration 0007) in the writing transaction; one row
 * per UTC day and slot (ticket id % 16). `created`: tickets created that day; `resolved`: tickets whose
 * resolved_at is that day; `rated` / `ratingSum`: ratings given that day.
 */
export const ticketStatsDaily = pgTable(
  'ticket_stats_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    slot: smallint('slot').notNull(),
    created: integer('created').notNull().default(0),
    resolved: integer('resolved').notNull().default(0),
    rated: integer('rated').notNull().default(0),
    ratingSum: integer('rating_sum').notNull().default(0),
  },
  (t) => [primaryKey({ name: 'ticket_stats_daily_day_slot_pk', columns: [t.day, t.slot] })],
);
