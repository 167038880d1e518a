import { date, pgTable, primaryKey } from 'drizzle-orm/pg-core';
import { agentStatsColumns } from './agent-stats-daily';

/**
 * agent_stats_daily's sums per UTC month (`month`: its first day), kept in the same trigger call (migration
 * 0022): the per-agent report reads a range's whole months here and only the days at its ends from the daily rows.
 */
export const agentStatsMonthly = pgTable(
  'agent_stats_monthly',
  {
    month: date('month', { mode: 'string' }).notNull(),
    ...agentStatsColumns(),
  },
  (t) => [primaryKey({ name: 'agent_stats_monthly_month_agent_pk', columns: [t.month, t.agentId] })],
);
