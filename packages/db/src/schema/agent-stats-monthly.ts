import { sql } from 'drizzle-orm';
import { bigint, date, integer, pgTable, primaryKey } from 'drizzle-orm/pg-core';

/**
 * agent_stats_daily's sums per UTC month (`month`: its first day), kept in the same trigger call (migration
 * 0022): the per-agent report reads a range's whole months here and only the days at its ends from the daily rows.
 */
export const agentStatsMonthly = pgTable(
  'agent_stats_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    agentId: bigint('agent_id', { mode: 'number' }).notNull(),
    handled: integer('handled').notNull().default(0),
    slaMet: integer('sla_met').notNull().default(0),
    rated: integer('rated').notNull().default(0),
    ratingSum: integer('rating_sum').notNull().default(0),
    firstResponseHist: integer('first_response_hist')
      .array()
      .notNull()
      .default(sql`array_fill(0, ARRAY[202])`),
    resolutionHist: integer('resolution_hist').array().notNull().default(sql`array_fill(0, ARRAY[202])`),
  },
  (t) => [primaryKey({ name: 'agent_stats_monthly_month_agent_pk', columns: [t.month, t.agentId] })],
);
