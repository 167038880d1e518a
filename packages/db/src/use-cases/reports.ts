import {
  type Actor,
  type AgentReport,
  type AgentReportRow,
  canViewStats,
  ForbiddenError,
  type StatsRange,
  statsRange,
} from '@tikethet/domain';
import { sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { iso, isoOrNull } from '../mappers';
import { STATS_HISTOGRAM_BUCKETS } from '../schema';
import { histogramMedianMs } from './stats';

function assertStaff(actor: Actor): void {
  if (!canViewStats(actor)) throw new ForbiddenError('reports are for agents');
}

/** `YYYY-MM-DD` of a UTC day `days` after `day`. */
function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The whole UTC months inside [from, to] as [first day of the first, first day of the month after the last),
 * null when the range holds none.
 */
export function wholeMonths(from: string, to: string): [string, string] | null {
  const start = from.endsWith('-01') ? from : `${addDays(`${from.slice(0, 7)}-01`, 32).slice(0, 7)}-01`;
  const end = addDays(to, 1).endsWith('-01') ? addDays(to, 1) : `${to.slice(0, 7)}-01`;
  return start < end ? [start, end] : null;
}

/**
 * The rollup rows of a range (agent_id, counts, histograms): its whole months from agent_stats_monthly (0022),
 * the days at its ends from agent_stats_daily (0018), so a year costs ≤ 12 + 62 rows per agent, not 366.
 */
function rollupRows(from: string, to: string) {
  const columns = sql`agent_id, handled, sla_met, rated, rating_sum, first_response_hist, resolution_hist`;
  const months = wholeMonths(from, to);
  if (!months) {
    return sql`select ${columns} from agent_stats_daily where day between ${from}::date and ${to}::date`;
  }
  const [start, end] = months;
  return sql`select ${columns} from agent_stats_monthly where month >= ${start}::date and month < ${end}::date
    union all select ${columns} from agent_stats_daily where day >= ${from}::date and day < ${start}::date
    union all select ${columns} from agent_stats_daily where day >= ${end}::date and day <= ${to}::date`;
}

/**
 * The per-agent table from the rollups, never from tickets: a row per whole month and per day at the ends.
 * `query` is `{from?, to?}` as GET /stats takes it (400 naming the field).
 */
export async function getAgentReport(q: Queryable, actor: Actor, query: unknown = {}): Promise<AgentReport> {
  assertStaff(actor);
  const range = statsRange(query);
  return { ...range, agents: await agentRows(q, range) };
}

/** The agents' rows of a range already checked (GET /stats carries them too). */
export async function agentRows(q: Queryable, { from, to }: StatsRange): Promise<AgentReportRow[]> {
  const totals = await q.execute<{
    agent_id: number;
    handled: number;
    sla_met: number;
    rated: number;
    rating_sum: number;
    first_name: string | null;
    last_name: string | null;
    username: string | null;
  }>(sql`select a.agent_id, a.handled, a.sla_met, a.rated, a.rating_sum, u.first_name, u.last_name, u.username
    from (select agent_id, sum(handled)::int as handled, sum(sla_met)::int as sla_met, sum(rated)::int as rated,
        sum(rating_sum)::int as rating_sum
      from (${rollupRows(from, to)}) r group by agent_id) a
    left join users u on u.id = a.agent_id
    where a.handled > 0
    order by a.handled desc, a.agent_id`);
  if (totals.rows.length === 0) return [];
  const buckets = await q.execute<{ agent_id: number; bucket: number; first: number; resolution: number }>(
    sql`select d.agent_id, h.bucket::int as bucket, sum(h.first)::int as first, sum(h.resolution)::int as resolution
      from (${rollupRows(from, to)}) d,
        unnest(d.first_response_hist, d.resolution_hist) with ordinality as h(first, resolution, bucket)
      where h.first <> 0 or h.resolution <> 0
      group by d.agent_id, h.bucket`,
  );
  const hists = new Map<number, { first: number[]; resolution: number[] }>();
  for (const r of buckets.rows) {
    const id = Number(r.agent_id);
    let h = hists.get(id);
    if (!h) {
      h = {
        first: Array(STATS_HISTOGRAM_BUCKETS).fill(0),
        resolution: Array(STATS_HISTOGRAM_BUCKETS).fill(0),
      };
      hists.set(id, h);
    }
    h.first[Number(r.bucket) - 1] = Number(r.first);
    h.resolution[Number(r.bucket) - 1] = Number(r.resolution);
  }
  return totals.rows.map((r) => {
    const id = Number(r.agent_id);
    const handled = Number(r.handled);
    const slaMet = Number(r.sla_met);
    const rated = Number(r.rated);
    const h = hists.get(id);
    return {
      agentId: id,
      name: [r.first_name, r.last_name].filter(Boolean).join(' ') || `#${id}`,
      username: r.username,
      handled,
      firstResponseMedianMs: h ? histogramMedianMs(h.first) : null,
      resolutionMedianMs: h ? histogramMedianMs(h.resolution) : null,
      slaMet,
      slaMetPercent: handled > 0 ? Math.round((1000 * slaMet) / handled) / 10 : null,
      csat: { average: rated > 0 ? Number(r.rating_sum) / rated : null, count: rated },
    };
  });
}

/** One ticket of the export. */
export interface ExportedTicket {
  id: number;
  createdAt: string;
  subject: string;
  status: string;
  priority: string;
  category: string | null;
  customerId: number;
  customerName: string;
  assigneeId: number | null;
  assigneeName: string | null;
  firstResponseAt: string | null;
  resolvedAt: string | null;
  slaBreachedAt: string | null;
  rating: number | null;
  ratingComment: string | null;
  tags: string[];
}

/** Where the next page of an export starts: after this ticket in (created_at, id) order. */
export interface ExportCursor {
  createdAt: string;
  id: number;
}

/** The most tickets one export page reads. */
export const EXPORT_PAGE_MAX = 1000;

/**
 * One page of the tickets created in the range (inclusive UTC days), in (created_at, id) order after `after`,
 * through tickets_created_idx (0019): each page costs its own rows, however many tickets there are.
 */
export async function exportTicketsPage(
  q: Queryable,
  actor: Actor,
  range: StatsRange,
  after: ExportCursor | null,
  limit = 500,
): Promise<{ items: ExportedTicket[]; next: ExportCursor | null }> {
  assertStaff(actor);
  const size = Math.max(1, Math.min(EXPORT_PAGE_MAX, Math.floor(limit)));
  const cursor = after
    ? sql`and (t.created_at, t.id) > (${after.createdAt}::timestamptz, ${after.id})`
    : sql``;
  const rows = await q.execute<{
    id: number;
    created_at: string;
    subject: string;
    status: string;
    priority: string;
    category: string | null;
    customer_id: number;
    customer_first: string | null;
    customer_last: string | null;
    assignee_id: number | null;
    assignee_first: string | null;
    assignee_last: string | null;
    first_response_at: string | null;
    resolved_at: string | null;
    sla_breached_at: string | null;
    rating: number | null;
    comment: string | null;
    tags: string[];
    cursor_at: string;
  }>(sql`select t.id, t.created_at, t.created_at::text as cursor_at, t.subject, t.status, t.priority, c.name as category, t.customer_id,
      cu.first_name as customer_first, cu.last_name as customer_last, t.assignee_id,
      au.first_name as assignee_first, au.last_name as assignee_last, t.first_response_at, t.resolved_at,
      t.sla_breached_at, r.score as rating, r.comment, t.tags
    from tickets t
    left join categories c on c.id = t.category_id
    left join users cu on cu.id = t.customer_id
    left join users au on au.id = t.assignee_id
    left join ratings r on r.ticket_id = t.id
    where t.created_at >= ${range.from}::date and t.created_at < ${range.to}::date + 1 ${cursor}
    order by t.created_at, t.id
    limit ${size}`);
  const nameOf = (first: string | null, last: string | null) => [first, last].filter(Boolean).join(' ');
  const items = rows.rows.map(
    (r): ExportedTicket => ({
      id: Number(r.id),
      createdAt: iso(r.created_at),
      subject: r.subject,
      status: r.status,
      priority: r.priority,
      category: r.category,
      customerId: Number(r.customer_id),
      customerName: nameOf(r.customer_first, r.customer_last),
      assigneeId: r.assignee_id === null ? null : Number(r.assignee_id),
      assigneeName: r.assignee_id === null ? null : nameOf(r.assignee_first, r.assignee_last),
      firstResponseAt: isoOrNull(r.first_response_at),
      resolvedAt: isoOrNull(r.resolved_at),
      slaBreachedAt: isoOrNull(r.sla_breached_at),
      rating: r.rating === null ? null : Number(r.rating),
      ratingComment: r.comment,
      tags: r.tags,
    }),
  );
  const last = rows.rows[rows.rows.length - 1];
  // The cursor keeps the timestamp as Postgres wrote it (microseconds), not the millisecond ISO form.
  const next = rows.rows.length === size && last ? { createdAt: last.cursor_at, id: Number(last.id) } : null;
  return { items, next };
}
