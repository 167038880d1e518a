import type { Actor } from '@tikethet/domain';
import { ForbiddenError } from '@tikethet/domain';
import { sql } from 'drizzle-orm';
import { runPgTransaction } from '../client';
import type { ExportCursor, ExportedTicket } from '../use-cases/reports';
import { type DbFixture, makeUser, setupDb } from './helpers';

/**
 * The per-agent report reads agent_stats_daily (migration 0018) and agent_stats_monthly (0022), kept by a
 * trigger on tickets. After every kind of write (create, reply, claim, reassign, resolve, rate, reopen, backdate,
 * bulk SQL) the incremental rows of both equal the ones `tikethet_agent_stats_rebuild()` computes from scratch,
 * and the report equals direct counts.
 */
let f: DbFixture;
let ann: Actor;
let bob: Actor;
let customer: Actor;

beforeAll(async () => {
  f = await setupDb('agent_report', 12);
  ann = await makeUser(f.uc, 'agent', 'Ann');
  bob = await makeUser(f.uc, 'agent', 'Bob');
  customer = await makeUser(f.uc);
});
afterAll(async () => {
  await f.close();
});

const rollup = (
  table: string,
  key: string,
) => `select to_char(${key}, 'YYYY-MM-DD') as key, agent_id, handled,
    sla_met, rated, rating_sum, first_response_hist, resolution_hist
  from ${table}
  where handled <> 0 or sla_met <> 0 or rated <> 0 or rating_sum <> 0
    or not (0 = all (first_response_hist)) or not (0 = all (resolution_hist))`;
const ROLLUP = `select * from (select 'day' as per, * from (${rollup('agent_stats_daily', 'day')}) d
  union all select 'month', * from (${rollup('agent_stats_monthly', 'month')}) m) x order by per, key, agent_id`;

/** The rows as the trigger left them, and as a rebuild computes them (rolled back). */
async function expectRollupExact(): Promise<void> {
  const rollback = new Error('roll back the rebuild');
  let pair: [unknown[], unknown[]] | undefined;
  await runPgTransaction(f.client.db.$client, async (c) => {
    const incremental = (await c.query(ROLLUP)).rows;
    await c.query('select tikethet_agent_stats_rebuild()');
    pair = [incremental, (await c.query(ROLLUP)).rows];
    throw rollback;
  }).catch((error: unknown) => {
    if (error !== rollback) throw error;
  });
  if (!pair) throw new Error('no rollup read');
  expect(pair[0].length).toBeGreaterThan(0);
  expect(pair[0]).toEqual(pair[1]);
}

async function ticket(subject: string) {
  return (await f.uc.createTicket(customer, { subject, body: 'hello' })).ticket;
}

async function patch(who: Actor, id: number, fields: Record<string, unknown>) {
  const current = await f.uc.findTicket(id);
  if (!current) throw new Error(`no ticket ${id}`);
  return f.uc.updateTicket(who, id, { ...fields, version: current.version });
}

const today = () => new Date().toISOString().slice(0, 10);
const utcDay = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

/** The report's numbers straight from tickets: resolved in the range, by assignee. */
async function direct(from: string, to: string) {
  const rows = await f.client.db.execute<{
    agent_id: number;
    handled: number;
    sla_met: number;
    rated: number;
    avg: number | null;
  }>(sql`select assignee_id as agent_id, count(*)::int as handled,
      count(*) filter (where sla_breached_at is null)::int as sla_met, count(rating)::int as rated,
      avg(rating)::float as avg
    from tickets where assignee_id is not null
      and (resolved_at at time zone 'UTC')::date between ${from}::date and ${to}::date
    group by assignee_id order by count(*) desc, assignee_id`);
  return rows.rows.map((r) => ({
    agentId: Number(r.agent_id),
    handled: Number(r.handled),
    slaMet: Number(r.sla_met),
    csat: { count: Number(r.rated), average: r.avg === null ? null : Number(r.avg) },
  }));
}

describe('the per-agent report', () => {
  it('stays exact through create, reply, claim, resolve, rate, reassign and reopen', async () => {
    const [a, b, c, d, e] = await Promise.all(['A', 'B', 'C', 'D', 'E'].map((s) => ticket(s)));
    if (!a || !b || !c || !d || !e) throw new Error('tickets missing');
    // Ann answers and resolves a; the customer rates it 5 then 3 with a comment (the rating moves).
    await f.uc.claimTicket(ann, a.id);
    await f.uc.postMessage(ann, a.id, { body: 'on it' });
    await patch(ann, a.id, { status: 'resolved' });
    await f.uc.rateTicket(customer, a.id, { score: 5 });
    await f.uc.rateTicket(customer, a.id, { score: 3, comment: 'quick, thanks' });
    // Bob resolves b, rated 4; then it is reassigned to Ann after the fact: it moves to her row.
    await f.uc.claimTicket(bob, b.id);
    await f.uc.postMessage(bob, b.id, { body: 'looking' });
    await patch(bob, b.id, { status: 'resolved' });
    await f.uc.rateTicket(customer, b.id, { score: 4 });
    await patch(bob, b.id, { assigneeId: ann.id });
    // Bob resolves c, then the customer writes again: it reopens and leaves the report.
    await f.uc.claimTicket(bob, c.id);
    await patch(bob, c.id, { status: 'resolved' });
    await f.uc.postMessage(customer, c.id, { body: 'still broken' });
    // d is resolved without an assignee: in no agent's row.
    await patch(ann, d.id, { status: 'resolved' });
    // e: Bob resolves it late (a breached timer): it counts as handled, not as SLA met.
    await f.uc.claimTicket(bob, e.id);
    await patch(bob, e.id, { status: 'resolved' });
    await f.client.db.execute(sql`update tickets set sla_breached_at = now() where id = ${e.id}`);
    await expectRollupExact();

    const report = await f.uc.getAgentReport(ann, { from: today(), to: today() });
    expect(report).toMatchObject({ from: today(), to: today() });
    expect(
      report.agents.map(({ agentId, handled, slaMet, csat }) => ({ agentId, handled, slaMet, csat })),
    ).toEqual(await direct(today(), today()));
    const annRow = report.agents.find((r) => r.agentId === ann.id);
    expect(annRow).toMatchObject({
      name: 'Ann',
      handled: 2,
      slaMet: 2,
      slaMetPercent: 100,
      csat: { average: 3.5, count: 2 },
    });
    expect(annRow?.firstResponseMedianMs).toEqual(expect.any(Number));
    expect(annRow?.resolutionMedianMs).toEqual(expect.any(Number));
    expect(report.agents.find((r) => r.agentId === bob.id)).toMatchObject({
      handled: 1,
      slaMet: 0,
      slaMetPercent: 0,
      csat: { average: null, count: 0 },
      firstResponseMedianMs: null,
    });
    // The reopened ticket comes back to Bob's row when it is resolved again.
    await patch(bob, c.id, { status: 'resolved' });
    const again = await f.uc.getAgentReport(bob, { from: today(), to: today() });
    expect(again.agents.find((r) => r.agentId === bob.id)).toMatchObject({
      handled: 2,
      slaMet: 1,
      slaMetPercent: 50,
    });
    // The team's CSAT comments name the agent of the rated ticket (the screen shows them by agent).
    const stats = await f.uc.getStats(ann, { from: today(), to: today() });
    expect(stats.comments).toEqual([
      expect.objectContaining({ ticketId: a.id, comment: 'quick, thanks', assigneeId: ann.id }),
    ]);
    await expectRollupExact();
  });

  it('spreads over days by resolution day, medians within 4.4%, and keeps bulk SQL exact', async () => {
    // Bulk insert of resolved, assigned tickets on past days, then a bulk update and delete.
    await f.client.db.execute(sql`insert into tickets (customer_id, subject, status, assignee_id, created_at,
        first_response_at, resolved_at, rating)
      select ${customer.id}, 'bulk ' || i, 'resolved', case when i % 2 = 0 then ${ann.id} else ${bob.id} end::bigint,
        now() - (i % 5 + 1) * interval '1 day', now() - (i % 5 + 1) * interval '1 day' + i * interval '7 seconds',
        now() - (i % 5 + 1) * interval '1 day' + i * interval '11 minutes', (i % 5 + 1)::smallint
      from generate_series(1, 40) i`);
    await f.client.db.execute(
      sql`update tickets set assignee_id = ${bob.id} where subject in ('bulk 2', 'bulk 4')`,
    );
    await f.client.db.execute(sql`delete from tickets where subject = 'bulk 6'`);
    await expectRollupExact();
    const [from, to] = [utcDay(6), utcDay(1)];
    const report = await f.uc.getAgentReport(ann, { from, to });
    expect(
      report.agents.map(({ agentId, handled, slaMet, csat }) => ({ agentId, handled, slaMet, csat })),
    ).toEqual(await direct(from, to));
    for (const row of report.agents) {
      const exact = await f.client.db.execute<{ first: number; resolution: number }>(sql`
        select (percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at)) * 1000)::float as first,
          (percentile_cont(0.5) within group (order by extract(epoch from resolved_at - created_at)) * 1000)::float as resolution
        from tickets where assignee_id = ${row.agentId}
          and (resolved_at at time zone 'UTC')::date between ${from}::date and ${to}::date`);
      expect(
        Math.abs(Number(row.firstResponseMedianMs) / Number(exact.rows[0]?.first) - 1),
      ).toBeLessThanOrEqual(0.0443);
      expect(
        Math.abs(Number(row.resolutionMedianMs) / Number(exact.rows[0]?.resolution) - 1),
      ).toBeLessThanOrEqual(0.0443);
    }
    // A range with nothing in it: no rows.
    expect((await f.uc.getAgentReport(ann, { from: '2001-01-01', to: '2001-01-31' })).agents).toEqual([]);
  });

  it('stays exact, without deadlocks, when two agents resolve, rate and reassign 30 tickets at once', async () => {
    const flows = Array.from({ length: 30 }, async (_, i) => {
      const who = i % 2 === 0 ? ann : bob;
      const t = await ticket(`Busy ${i}`);
      await f.uc.claimTicket(who, t.id);
      await f.uc.postMessage(who, t.id, { body: 'on it' });
      await patch(who, t.id, { status: 'resolved' });
      await f.uc.rateTicket(customer, t.id, {
        score: 1 + (i % 5),
        comment: i % 3 === 0 ? `thanks ${i}` : null,
      });
      if (i % 4 === 0) await patch(who, t.id, { assigneeId: who === ann ? bob.id : ann.id });
      if (i % 5 === 0) await f.uc.postMessage(customer, t.id, { body: 'again' });
    });
    const outcomes = await Promise.allSettled(flows);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    await expectRollupExact();
    const report = await f.uc.getAgentReport(ann, { from: today(), to: today() });
    expect(
      report.agents.map(({ agentId, handled, slaMet, csat }) => ({ agentId, handled, slaMet, csat })),
    ).toEqual(await direct(today(), today()));
  });

  it('is for staff, and refuses bad ranges naming the field', async () => {
    await expect(f.uc.getAgentReport(customer, {})).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      f.uc.exportTicketsPage(customer, { from: today(), to: today() }, null),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(f.uc.getAgentReport(ann, { from: utcDay(1), to: utcDay(2) })).rejects.toMatchObject({
      issues: [{ path: 'from', message: expect.any(String) }],
    });
    await expect(f.uc.getAgentReport(ann, { from: utcDay(400) })).rejects.toMatchObject({
      issues: [{ path: 'to', message: expect.any(String) }],
    });
  });

  it('exports the tickets created in the range page by page, each once, in (created_at, id) order', async () => {
    const range = { from: utcDay(3), to: today() };
    const seen: ExportedTicket[] = [];
    let after: ExportCursor | null = null;
    let pages = 0;
    do {
      const page: { items: ExportedTicket[]; next: ExportCursor | null } = await f.uc.exportTicketsPage(
        ann,
        range,
        after,
        3,
      );
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      after = page.next;
      pages++;
    } while (after);
    const expected = await f.client.db.execute<{ id: number }>(sql`select id from tickets
      where created_at >= ${range.from}::date and created_at < ${range.to}::date + 1 order by created_at, id`);
    expect(seen.map((t) => t.id)).toEqual(expected.rows.map((r) => Number(r.id)));
    expect(pages).toBeGreaterThan(3);
    const rated = seen.find((t) => t.ratingComment === 'quick, thanks');
    expect(rated).toMatchObject({ rating: 3, assigneeName: 'Ann', status: 'resolved' });
  });
});
