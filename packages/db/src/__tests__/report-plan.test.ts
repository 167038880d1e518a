import { type SQL, sql } from 'drizzle-orm';
import { runTransaction } from '../client';
import { agentRows } from '../use-cases/reports';
import { type DbFixture, makeUser, setupDb } from './helpers';
import { explainNodes } from './plans';

/**
 * The reports must not cost O(table) (issue 17): at 60,000 tickets over 300 days, a page of the tickets export
 * walks tickets_created_idx (0019) and reads its page, from the start of a year's range or from a cursor in its
 * middle; the per-agent report reads the rollups alone (never tickets) and still equals direct counts, and over a
 * year it reads the whole months from agent_stats_monthly (0022), not a row per day and agent.
 */
let f: DbFixture;
const TICKETS = 60_000;
const AGENTS = 12;

beforeAll(async () => {
  f = await setupDb('db_report_plan');
  await f.client.db.transaction(async (tx) => {
    // A bulk load, as bench/scale does it: triggers off, then the rollups rebuilt. Every agent resolves
    // tickets on every day, as in a busy team (a row per (day, agent) in agent_stats_daily).
    await tx.execute(sql`set local session_replication_role = replica`);
    await tx.execute(sql`insert into users (id, first_name)
      select 6000 + i, 'Agent ' || i from generate_series(0, ${AGENTS}) i`);
    await tx.execute(sql`insert into tickets (customer_id, subject, status, assignee_id, created_at,
        first_response_at, resolved_at, sla_breached_at, rating)
      select 6000, 'ticket ' || i, 'resolved', 6001 + (i / 300) % ${AGENTS},
        now() - (i % 300) * interval '1 day' - interval '3 hours',
        now() - (i % 300) * interval '1 day' - interval '3 hours' + (i % 97 + 1) * interval '1 minute',
        now() - (i % 300) * interval '1 day' - interval '1 hour' + (i % 13) * interval '1 minute',
        case when i % 7 = 0 then now() end, case when i % 3 = 0 then (i % 5 + 1)::smallint end
      from generate_series(1, ${TICKETS}) as i`);
  });
  await f.client.db.execute(sql`select tikethet_agent_stats_rebuild()`);
  await f.client.db.execute(sql`analyze tickets`);
  await f.client.db.execute(sql`analyze agent_stats_daily`);
}, 120_000);
afterAll(async () => {
  await f.close();
});

const explain = (statement: SQL) => explainNodes(f.client.db, statement);

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

it.each([
  ['the first page of a year', null],
  ['a page from a cursor in the middle', 150],
])('the tickets export reads %s through tickets_created_idx, not the table', async (_name, middle) => {
  const cursor =
    middle === null
      ? sql``
      : sql`and (created_at, id) > (select created_at, id from tickets where created_at >= ${day(middle)}::date
          order by created_at, id limit 1)`;
  // The page statement of exportTicketsPage (reports.ts): range, cursor, order, page size.
  const all = await explain(sql`select id from tickets
    where created_at >= ${day(365)}::date and created_at < ${day(0)}::date + 1 ${cursor}
    order by created_at, id limit 500`);
  const onTickets = all.filter((n) => n['Relation Name'] === 'tickets');
  expect(onTickets.map((n) => n['Node Type'])).not.toContain('Seq Scan');
  expect(onTickets.every((n) => n['Index Name'] === 'tickets_created_idx')).toBe(true);
  const read = onTickets.reduce((sum, n) => sum + n['Actual Rows'] + (n['Rows Removed by Filter'] ?? 0), 0);
  expect(read).toBeLessThanOrEqual(502);
});

it('the per-agent report over a year reads whole months, ≤ 12 + 62 rollup rows per agent', async () => {
  const [from, to] = [day(365), day(0)];
  // The rollup rows the report's statements read, as this transaction's own table counters count them.
  const read = await runTransaction(f.client.db, async (tx) => {
    const report = await agentRows(tx, { from, to });
    expect(report).toHaveLength(AGENTS);
    const counted = await tx.execute<{ n: number }>(sql`select (
        pg_stat_get_xact_tuples_fetched('agent_stats_daily'::regclass)
        + pg_stat_get_xact_tuples_returned('agent_stats_daily'::regclass)
        + pg_stat_get_xact_tuples_fetched('agent_stats_monthly'::regclass)
        + pg_stat_get_xact_tuples_returned('agent_stats_monthly'::regclass))::int as n`);
    return Number(counted.rows[0]?.n);
  });
  // Two statements (totals, histograms). Measured: 336 (a row per (day, agent), as before 0022: 7,200).
  expect(read).toBeGreaterThan(0);
  expect(read).toBeLessThanOrEqual(2 * (12 + 62) * AGENTS);
});

it('the per-agent report over a year reads the rollup, and equals direct counts', async () => {
  const viewer = await makeUser(f.uc, 'agent');
  const [from, to] = [day(365), day(0)];
  const all = await explain(sql`select agent_id, sum(handled) from agent_stats_daily
    where day between ${from}::date and ${to}::date group by agent_id`);
  expect(all.some((n) => n['Relation Name'] === 'tickets')).toBe(false);
  const report = await f.uc.getAgentReport(viewer, { from, to });
  const direct = await f.client.db.execute<{ agent_id: number; n: number; met: number; rated: number }>(sql`
    select assignee_id as agent_id, count(*)::int as n, count(*) filter (where sla_breached_at is null)::int as met,
      count(rating)::int as rated
    from tickets where (resolved_at at time zone 'UTC')::date between ${from}::date and ${to}::date
    group by assignee_id order by count(*) desc, assignee_id`);
  expect(report.agents.map((a) => [a.agentId, a.handled, a.slaMet, a.csat.count])).toEqual(
    direct.rows.map((r) => [Number(r.agent_id), Number(r.n), Number(r.met), Number(r.rated)]),
  );
  expect(report.agents).toHaveLength(AGENTS);
});
