import { sql } from 'drizzle-orm';
import { bigint, date, integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';

/** One agent's sums over a period: the columns the daily and the monthly rollups share. */
export const agentStatsColumns = () => ({
  agentId: bigint('agent_id', { mode: 'number' }).notNull(),
  handled: integer('handled').notNull().default(0),
  slaMet: integer('sla_met').notNull().default(0),
  rated: integer('rated').notNull().default(0),
  ratingSum: integer('rating_sum').notNull().default(0),
  firstResponseHist: integer('first_response_hist').array().notNull().default(sql`array_fill(0, ARRAY[202])`),
  resolutionHist: integer('resolution_hist').array().notNull().default(sql`array_fill(0, ARRAY[202])`),
});

/**
 * The per-agent report's rollup, kept by triggers on tickets (migration 0018): per UTC day and agent, the
 * tickets that agent resolved that day (`handled`), how many never breached an SLA timer (`slaMet`), their
 * ratings (`rated`, `ratingSum`) and histograms of their first-response and resolution durations (0007's buckets).
 */
export const agentStatsDaily = pgTable(
  'agent_stats_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    ...agentStatsColumns(),
  },
  (t) => [primaryKey({ name: 'agent_stats_daily_day_agent_pk', columns: [t.day, t.agentId] })],
);
