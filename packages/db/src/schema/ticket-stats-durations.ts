import { sql } from 'drizzle-orm';
import { date, integer, pgTable } from 'drizzle-orm/pg-core';

/** Buckets of the duration histograms: 1 (< 1 s), 2..201 (8 per doubling from 1 s), 202 (≥ 2^25 s). */
export const STATS_HISTOGRAM_BUCKETS = 202;
/** Histogram buckets per doubling of the duration. */
export const STATS_BUCKETS_PER_DOUBLING = 8;

/**
 * Per UTC day, the first-response and resolution durations of the tickets created that day as log-scale
 * histograms (counts by bucket, see STATS_HISTOGRAM_BUCKETS), kept by triggers (migration 0007).
 */
export const ticketStatsDurations = pgTable('ticket_stats_durations', {
  day: date('day', { mode: 'string' }).primaryKey(),
  firstResponseHist: integer('first_response_hist').array().notNull().default(sql`array_fill(0, ARRAY[202])`),
  resolutionHist: integer('resolution_hist').array().notNull().default(sql`array_fill(0, ARRAY[202])`),
});
