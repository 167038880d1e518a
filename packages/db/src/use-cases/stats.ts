import { type Actor, canViewStats, ForbiddenError, statsRange, type TagCount } from '@tikethet/domain';
import { and, desc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { iso } from '../mappers';
import { ratings, STATS_BUCKETS_PER_DOUBLING, STATS_HISTOGRAM_BUCKETS, tickets } from '../schema';
import { topTags } from './triage';

export interface Stats {
  /** The inclusive UTC days the range-bound numbers cover (`GET /stats?from=&to=`). */
  from: string;
  to: string;
  /** Tickets per status now (not bound to the range). */
  new: number;
  open: number;
  pending: number;
  resolved: number;
  closed: number;
  /**
   * Medians over the tickets created in the range; null when there is nothing to measure. Read from log-scale
   * histograms: within 4.4% of the exact median (0.5 s below one second).
   */
  firstResponseMedianMs: number | null;
  resolutionMedianMs: number | null;
  /** Ratings given in the range. */
  csat: { average: number | null; count: number };
  /** Every day of the range: tickets created that day, tickets resolved that day. */
  perDay: Array<{ date: string; created: number; resolved: number }>;
  /** The most used tags now (not bound to the range), most used first. */
  tags: TagCount[];
  /** The newest CSAT comments given in the range (at most STATS_COMMENTS), newest first. */
  comments: Array<{
    ticketId: number;
    score: number;
    comment: string;
    createdAt: string;
    /** The agent the rated ticket is assigned to (the per-agent report's row), if any. */
    assigneeId: number | null;
  }>;
}

/** How many CSAT comments the stats carry. */
export const STATS_COMMENTS = 20;

const DAY_MS = 86_400_000;

/** The duration a histogram bucket stands for (ms): its geometric middle, see migration 0007. */
export function bucketMiddleMs(bucket: number): number {
  if (bucket <= 1) return 500;
  const k = Math.min(bucket, STATS_HISTOGRAM_BUCKETS - 1) - 2;
  // The last bucket is open-ended: its lower bound.
  const offset = bucket >= STATS_HISTOGRAM_BUCKETS ? 1 : 0.5;
  return 1000 * 2 ** ((k + offset) / STATS_BUCKETS_PER_DOUBLING);
}

/** percentile_cont(0.5) over a histogram (counts by 1-based bucket): the mean of the two middle values. */
export function histogramMedianMs(counts: ReadonlyArray<number>): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return null;
  const valueAt = (rank: number): number => {
    let seen = 0;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i] ?? 0;
      if (seen > rank) return bucketMiddleMs(i + 1);
    }
    return bucketMiddleMs(counts.length);
  };
  return Math.round((valueAt(Math.floor((total - 1) / 2)) + valueAt(Math.ceil((total - 1) / 2))) / 2);
}

function daysOf(from: string, to: string): string[] {
  const days: string[] = [];
  for (let ms = Date.parse(`${from}T00:00:00Z`); ms <= Date.parse(`${to}T00:00:00Z`); ms += DAY_MS) {
    days.push(new Date(ms).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * The team's numbers from the rollup (migration 0007), never from tickets: 16 status rows, and per day of the
 * range (≤ 366 days) at most 16 count rows and one histogram row. `query` is `{from?, to?}` (YYYY-MM-DD,
 * default the last 30 days).
 */
export async function getStats(q: Queryable, actor: Actor, query: unknown = {}): Promise<Stats> {
  if (!canViewStats(actor)) throw new ForbiddenError('stats are for agents');
  const { from, to } = statsRange(query);
  const counts = await q.execute<{
    new: number;
    open: number;
    pending: number;
    resolved: number;
    closed: number;
  }>(sql`select coalesce(sum("new"), 0)::int as "new", coalesce(sum("open"), 0)::int as "open",
      coalesce(sum(pending), 0)::int as pending, coalesce(sum(resolved), 0)::int as resolved,
      coalesce(sum(closed), 0)::int as closed
    from ticket_status_counts`);
  const days = await q.execute<{
    date: string;
    created: number;
    resolved: number;
    rated: number;
    sum: number;
  }>(
    sql`select to_char(day, 'YYYY-MM-DD') as date, sum(created)::int as created, sum(resolved)::int as resolved,
        sum(rated)::int as rated, sum(rating_sum)::int as sum
      from ticket_stats_daily where day between ${from}::date and ${to}::date group by day`,
  );
  const histograms = await q.execute<{ bucket: number; first: number; resolution: number }>(
    sql`select h.bucket::int as bucket, sum(h.first)::int as first, sum(h.resolution)::int as resolution
      from ticket_stats_durations d,
        unnest(d.first_response_hist, d.resolution_hist) with ordinality as h(first, resolution, bucket)
      where d.day between ${from}::date and ${to}::date
      group by h.bucket`,
  );
  const first: number[] = Array(STATS_HISTOGRAM_BUCKETS).fill(0);
  const resolution: number[] = Array(STATS_HISTOGRAM_BUCKETS).fill(0);
  for (const r of histograms.rows) {
    first[Number(r.bucket) - 1] = Number(r.first);
    resolution[Number(r.bucket) - 1] = Number(r.resolution);
  }
  const byDay = new Map(days.rows.map((r) => [String(r.date), r]));
  const rated = days.rows.reduce((n, r) => n + Number(r.rated), 0);
  const scoreSum = days.rows.reduce((n, r) => n + Number(r.sum), 0);
  const c = counts.rows[0];
  // The newest comments of the range, through ratings_comment_recent_idx (0015): a page, however many ratings.
  const comments = await q
    .select({
      ticketId: ratings.ticketId,
      score: ratings.score,
      comment: sql<string>`${ratings.comment}`,
      createdAt: ratings.createdAt,
      assigneeId: tickets.assigneeId,
    })
    .from(ratings)
    .leftJoin(tickets, eq(tickets.id, ratings.ticketId))
    .where(
      and(
        isNotNull(ratings.comment),
        sql`${ratings.createdAt} >= ${from}::date`,
        sql`${ratings.createdAt} < ${to}::date + 1`,
      ),
    )
    .orderBy(desc(ratings.createdAt))
    .limit(STATS_COMMENTS);
  return {
    from,
    to,
    new: Number(c?.new ?? 0),
    open: Number(c?.open ?? 0),
    pending: Number(c?.pending ?? 0),
    resolved: Number(c?.resolved ?? 0),
    closed: Number(c?.closed ?? 0),
    firstResponseMedianMs: histogramMedianMs(first),
    resolutionMedianMs: histogramMedianMs(resolution),
    csat: { average: rated > 0 ? scoreSum / rated : null, count: rated },
    perDay: daysOf(from, to).map((date) => ({
      date,
      created: Number(byDay.get(date)?.created ?? 0),
      resolved: Number(byDay.get(date)?.resolved ?? 0),
    })),
    tags: await topTags(q),
    comments: comments.map((r) => ({ ...r, createdAt: iso(r.createdAt) })),
  };
}
