import { type Actor, canViewStats, ForbiddenError } from '@tikethet/domain';
import { sql } from 'drizzle-orm';
import type { Queryable } from '../client';

export interface Stats {
  new: number;
  open: number;
  pending: number;
  resolved: number;
  closed: number;
  /** Medians over tickets created in the last 30 days; null when there is nothing to measure. */
  firstResponseMedianMs: number | null;
  resolutionMedianMs: number | null;
  csat: { average: number | null; count: number };
  perDay: Array<{ date: string; created: number; resolved: number }>;
}

/** The team's numbers: queue counts, response and resolution medians, CSAT, and 30 days day by day. */
export async function getStats(q: Queryable, actor: Actor): Promise<Stats> {
  if (!canViewStats(actor)) throw new ForbiddenError('stats are for agents');
  const counts = await q.execute<{ status: string; n: number }>(
    sql`select status, count(*)::int as n from tickets group by status`,
  );
  const medians = await q.execute<{
    first: number | null;
    resolution: number | null;
    avg: number | null;
    rated: number;
  }>(sql`
    select
      (percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at)) * 1000)::float as first,
      (percentile_cont(0.5) within group (order by extract(epoch from resolved_at - created_at)) * 1000)::float as resolution,
      (select avg(score)::float from ratings where created_at > now() - interval '30 days') as avg,
      (select count(*)::int from ratings where created_at > now() - interval '30 days') as rated
    from tickets where created_at > now() - interval '30 days'`);
  const days = await q.execute<{ date: string; created: number; resolved: number }>(sql`
    select to_char(d, 'YYYY-MM-DD') as date,
      (select count(*)::int from tickets t where t.created_at >= d and t.created_at < d + interval '1 day') as created,
      (select count(*)::int from tickets t where t.resolved_at >= d and t.resolved_at < d + interval '1 day') as resolved
    from generate_series(date_trunc('day', now() at time zone 'UTC') - interval '29 days',
                         date_trunc('day', now() at time zone 'UTC'), interval '1 day') as d
    order by d`);
  const byStatus = new Map(counts.rows.map((r) => [r.status, Number(r.n)]));
  const m = medians.rows[0];
  return {
    new: byStatus.get('new') ?? 0,
    open: byStatus.get('open') ?? 0,
    pending: byStatus.get('pending') ?? 0,
    resolved: byStatus.get('resolved') ?? 0,
    closed: byStatus.get('closed') ?? 0,
    firstResponseMedianMs: m?.first === null || m?.first === undefined ? null : Math.round(Number(m.first)),
    resolutionMedianMs:
      m?.resolution === null || m?.resolution === undefined ? null : Math.round(Number(m.resolution)),
    csat: {
      average: m?.avg === null || m?.avg === undefined ? null : Number(m.avg),
      count: Number(m?.rated ?? 0),
    },
    perDay: days.rows.map((r) => ({
      date: String(r.date),
      created: Number(r.created),
      resolved: Number(r.resolved),
    })),
  };
}
