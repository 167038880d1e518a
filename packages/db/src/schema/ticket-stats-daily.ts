import { sql } from 'drizzle-orm';
import { date, integer, pgTable, primaryKey, smallint } from 'drizzle-orm/pg-core';

/** Buckets of the duration histograms: 1 (< 1 s), 2..201 (8 per doubling from 1 s), 202 (≥ 2^25 s). */
export const STATS_HISTOGRAM_BUCKETS = 202;
/** Histogram buckets per doubling of the duration. */
export const STATS_BUCKETS_PER_DOUBLING = 8;

/**
 * The daily rollup behind GET /stats, kept by triggers (migration 0007) in the writing transaction; one row
 * per UTC day and slot (ticket id % 16). `created`: tickets created that day; `resolved`: tickets whose
 * resolved_at is that day; `rated` / `ratingSum`: ratings given that day; the histograms: first-response and
 * resolution durations of the tickets created that day, log-scale buckets (see STATS_HISTOGRAM_BUCKETS).
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
    firstResponseHist: integer('first_response_hist')
      .array()
      .notNull()
      .default(sql`array_fill(0, ARRAY[202])`),
    resolutionHist: integer('resolution_hist').array().notNull().default(sql`array_fill(0, ARRAY[202])`),
  },
  (t) => [primaryKey({ name: 'ticket_stats_daily_day_slot_pk', columns: [t.day, t.slot] })],
);
