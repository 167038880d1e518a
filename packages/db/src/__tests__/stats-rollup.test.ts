import type { Actor } from '@tikethet/domain';
import { ValidationError } from '@tikethet/domain';
import { sql } from 'drizzle-orm';
import { runPgTransaction } from '../client';
import { bucketMiddleMs, histogramMedianMs } from '../use-cases/stats';
import { type DbFixture, makeUser, setupDb } from './helpers';

/**
 * GET /stats reads a rollup (migration 0007) that triggers keep in the writing transaction. These tests hold
 * it against the tables it summarises: after every kind of write the incremental rollup equals the one
 * `tikethet_stats_rebuild()` computes from scratch, and the numbers equal direct counts.
 */
let f: DbFixture;
let agent: Actor;
let customer: Actor;

beforeAll(async () => {
  f = await setupDb('stats_rollup', 24);
  agent = await makeUser(f.uc, 'agent');
  customer = await makeUser(f.uc);
});
afterAll(async () => {
  await f.close();
});

interface Rollup {
  counts: unknown[];
  daily: unknown[];
  durations: unknown[];
}

const ROLLUP_SQL = {
  counts: 'select slot, "new", "open", pending, resolved, closed from ticket_status_counts order by slot',
  daily: `select to_char(day, 'YYYY-MM-DD') as day, slot, created, resolved, rated, rating_sum
    from ticket_stats_daily where created <> 0 or resolved <> 0 or rated <> 0 or rating_sum <> 0
    order by day, slot`,
  durations: `select to_char(day, 'YYYY-MM-DD') as day, first_response_hist, resolution_hist
    from ticket_stats_durations where not (0 = all (first_response_hist)) or not (0 = all (resolution_hist))
    order by day`,
};

/** The rollup as the triggers left it, and as a rebuild from the tables computes it (rolled back). */
async function incrementalAndRebuilt(): Promise<[Rollup, Rollup]> {
  const rebuildError = new Error('roll back the rebuild');
  let result: [Rollup, Rollup] | undefined;
  await runPgTransaction(f.client.db.$client, async (c) => {
    const read = async (): Promise<Rollup> => ({
      counts: (await c.query(ROLLUP_SQL.counts)).rows,
      daily: (await c.query(ROLLUP_SQL.daily)).rows,
      durations: (await c.query(ROLLUP_SQL.durations)).rows,
    });
    const incremental = await read();
    await c.query('select tikethet_stats_rebuild()');
    result = [incremental, await read()];
    throw rebuildError;
  }).catch((error: unknown) => {
    if (error !== rebuildError) throw error;
  });
  if (!result) throw new Error('no rollup read');
  return result;
}

async function expectRollupExact(): Promise<void> {
  const [incremental, rebuilt] = await incrementalAndRebuilt();
  expect(incremental.daily.length).toBeGreaterThan(0);
  expect(incremental.durations.length).toBeGreaterThan(0);
  expect(incremental).toEqual(rebuilt);
}

async function directStatusCounts(): Promise<Record<string, number>> {
  const rows = await f.client.db.execute<{ status: string; n: number }>(
    sql`select status, count(*)::int as n from tickets group by status`,
  );
  const counts: Record<string, number> = { new: 0, open: 0, pending: 0, resolved: 0, closed: 0 };
  for (const r of rows.rows) counts[r.status] = Number(r.n);
  return counts;
}

async function ticket(subject: string) {
  return (await f.uc.createTicket(customer, { subject, body: 'hello' })).ticket;
}

async function setStatus(id: number, status: 'open' | 'pending' | 'resolved' | 'closed', who = agent) {
  const current = await f.uc.findTicket(id);
  if (!current) throw new Error(`no ticket ${id}`);
  return f.uc.updateTicket(who, id, { status, version: current.version });
}

/**
 * Moves a ticket back in time (as if created `daysAgo` days ago at noon UTC) with its first response and
 * resolution `firstS` / `resolveS` seconds after creation (null: none). Plain SQL: the UPDATE trigger path.
 */
async function backdate(id: number, daysAgo: number, firstS: number | null, resolveS: number | null) {
  await f.client.db.execute(sql`update tickets set
      created_at = date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - ${daysAgo} * interval '1 day' + interval '12 hours',
      first_response_at = case when ${firstS}::float8 is null then null
        else date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - ${daysAgo} * interval '1 day' + interval '12 hours' + ${firstS}::float8 * interval '1 second' end,
      resolved_at = case when ${resolveS}::float8 is null then null
        else date_trunc('day', now() at time zone 'UTC') at time zone 'UTC' - ${daysAgo} * interval '1 day' + interval '12 hours' + ${resolveS}::float8 * interval '1 second' end
    where id = ${id}`);
}

function utcDay(daysAgo: number): string {
  return new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
}

describe('the stats rollup', () => {
  it('equals a rebuild from the tables and direct counts after creates, replies, status changes, ratings, reopens', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 20; i++) ids.push((await ticket(`Mix ${i}`)).id);
    const [a, b, c, d, e, g, h, k] = ids as [number, number, number, number, number, number, number, number];
    // First responses: the message writer and a claim.
    await f.uc.postMessage(agent, a, { body: 'on it' });
    await f.uc.postMessage(agent, b, { body: 'looking' });
    await f.uc.claimTicket(agent, c);
    // The first reply on a claimed (already open) ticket changes first_response_at alone.
    await f.uc.postMessage(agent, c, { body: 'after the claim' });
    // Resolve, rate, re-rate (the rating moves to a new score), reopen by a customer message, close.
    await setStatus(a, 'resolved');
    await f.uc.rateTicket(customer, a, { score: 5 });
    await f.uc.rateTicket(customer, a, { score: 2 });
    await setStatus(b, 'resolved');
    await f.uc.rateTicket(customer, b, { score: 4 });
    await f.uc.postMessage(customer, b, { body: 'still broken' });
    await setStatus(b, 'pending');
    await setStatus(c, 'resolved');
    await setStatus(c, 'closed');
    await setStatus(d, 'closed', customer);
    await setStatus(d, 'open', customer);
    await setStatus(e, 'pending');
    await f.uc.postMessage(customer, e, { body: 'answer' });
    // An internal note is no first response.
    await f.uc.postMessage(agent, g, { body: 'note to self', internal: true });
    // Spread over days and durations (1.5 s to 9 days), through the UPDATE trigger.
    await backdate(h, 3, 1.5, 3600);
    await backdate(k, 40, 45, 9 * 86_400);
    await backdate(ids[8] as number, 3, 600, null);
    await backdate(ids[9] as number, 10, 0.2, 0.4);
    await expectRollupExact();

    const stats = await f.uc.getStats(agent);
    const direct = await directStatusCounts();
    expect({
      new: stats.new,
      open: stats.open,
      pending: stats.pending,
      resolved: stats.resolved,
      closed: stats.closed,
    }).toEqual(direct);
  });

  it('answers GET /stats numbers equal to direct counts over the range, medians within 4.4%', async () => {
    // Durations from seconds to days on tickets of five days, some resolved.
    const plan: Array<[number, number | null, number | null]> = [
      [1, 30, 7200],
      [1, 95, null],
      [2, 4000, 90_000],
      [2, 12, 600],
      [5, 86_400, 3 * 86_400],
      [5, 700, null],
      [6, 45, 4 * 3600],
    ];
    for (const [daysAgo, firstS, resolveS] of plan) {
      const t = await ticket(`Timed ${daysAgo}`);
      await backdate(t.id, daysAgo, firstS, resolveS);
    }
    await expectRollupExact();
    for (const [from, to] of [
      [utcDay(6), utcDay(1)],
      [utcDay(2), utcDay(2)],
      [utcDay(45), utcDay(0)],
    ] as const) {
      const stats = await f.uc.getStats(agent, { from, to });
      expect(stats.from).toBe(from);
      expect(stats.to).toBe(to);
      const inRange = sql`(created_at at time zone 'UTC')::date between ${from}::date and ${to}::date`;
      const perDay = await f.client.db.execute<{ date: string; created: number; resolved: number }>(sql`
        select to_char(d, 'YYYY-MM-DD') as date,
          (select count(*)::int from tickets where (created_at at time zone 'UTC')::date = d) as created,
          (select count(*)::int from tickets where (resolved_at at time zone 'UTC')::date = d) as resolved
        from generate_series(${from}::date, ${to}::date, interval '1 day') d order by d`);
      expect(stats.perDay).toEqual(perDay.rows);
      const exact = await f.client.db.execute<{ first: number | null; resolution: number | null }>(sql`
        select (percentile_cont(0.5) within group (order by extract(epoch from first_response_at - created_at)) * 1000)::float as first,
          (percentile_cont(0.5) within group (order by extract(epoch from resolved_at - created_at)) * 1000)::float as resolution
        from tickets where ${inRange}`);
      const csat = await f.client.db.execute<{ n: number; avg: number | null }>(sql`
        select count(*)::int as n, avg(score)::float as avg from ratings
        where (created_at at time zone 'UTC')::date between ${from}::date and ${to}::date`);
      expect(stats.csat.count).toBe(Number(csat.rows[0]?.n));
      if (csat.rows[0]?.avg === null) expect(stats.csat.average).toBeNull();
      else expect(stats.csat.average).toBeCloseTo(Number(csat.rows[0]?.avg), 9);
      for (const [approx, exactMs] of [
        [stats.firstResponseMedianMs, exact.rows[0]?.first],
        [stats.resolutionMedianMs, exact.rows[0]?.resolution],
      ] as const) {
        if (exactMs === null || exactMs === undefined) {
          expect(approx).toBeNull();
        } else if (exactMs < 1000) {
          expect(Math.abs(Number(approx) - exactMs)).toBeLessThanOrEqual(500);
        } else {
          expect(Math.abs(Number(approx) / exactMs - 1)).toBeLessThanOrEqual(0.0443);
        }
      }
    }
  });

  it('covers every day of the range, 30 by default ending today, and refuses bad ranges naming the field', async () => {
    const stats = await f.uc.getStats(agent);
    expect(stats.perDay).toHaveLength(30);
    expect(stats.to).toBe(utcDay(0));
    expect(stats.perDay[29]?.date).toBe(utcDay(0));
    expect(stats.perDay[0]?.date).toBe(utcDay(29));
    const long = await f.uc.getStats(agent, { from: utcDay(365), to: utcDay(0) });
    expect(long.perDay).toHaveLength(366);
    // Days before any ticket are zeros, not missing.
    const empty = await f.uc.getStats(agent, { from: '2001-01-01', to: '2001-01-03' });
    expect(empty.perDay).toEqual([
      { date: '2001-01-01', created: 0, resolved: 0 },
      { date: '2001-01-02', created: 0, resolved: 0 },
      { date: '2001-01-03', created: 0, resolved: 0 },
    ]);
    expect(empty.firstResponseMedianMs).toBeNull();
    expect(empty.csat).toEqual({ average: null, count: 0 });
    await expect(f.uc.getStats(agent, { from: '2026-02-30' })).rejects.toBeInstanceOf(ValidationError);
    await expect(f.uc.getStats(agent, { from: utcDay(1), to: utcDay(2) })).rejects.toMatchObject({
      issues: [{ path: 'from', message: expect.any(String) }],
    });
    await expect(f.uc.getStats(agent, { from: utcDay(400) })).rejects.toMatchObject({
      issues: [{ path: 'to', message: expect.any(String) }],
    });
  });

  it('stays exact under concurrent writers on tickets of the same and different slots, without deadlocks', async () => {
    const flows = Array.from({ length: 32 }, async (_, i) => {
      const t = await ticket(`Busy ${i}`);
      await f.uc.postMessage(agent, t.id, { body: 'first answer' });
      await setStatus(t.id, 'resolved');
      await f.uc.rateTicket(customer, t.id, { score: 1 + (i % 5) });
      await f.uc.postMessage(customer, t.id, { body: 'again' });
      await setStatus(t.id, i % 2 === 0 ? 'resolved' : 'pending');
      if (i % 3 === 0) await setStatus(t.id, 'closed');
      return t.id;
    });
    const outcomes = await Promise.allSettled(flows);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    // Concurrent status changes of tickets that share slots, each in its own transaction.
    const open = await f.client.db.execute<{ id: number }>(
      sql`select id from tickets where status in ('open', 'pending') order by id`,
    );
    const flips = await Promise.allSettled(
      open.rows.map((r) => setStatus(Number(r.id), 'resolved').then(() => setStatus(Number(r.id), 'closed'))),
    );
    expect(flips.filter((o) => o.status === 'rejected')).toEqual([]);
    await expectRollupExact();
    expect(await directStatusCounts()).toMatchObject({ open: 0, pending: 0 });
  });

  it('keeps bulk SQL exact too: multi-row inserts, updates and deletes', async () => {
    await f.client.db.execute(sql`insert into tickets (customer_id, subject, status, created_at, first_response_at, resolved_at)
      select ${customer.id}, 'bulk ' || g, case when g % 3 = 0 then 'resolved' else 'open' end,
        now() - g * interval '5 hours', now() - g * interval '5 hours' + g * interval '1 minute',
        case when g % 3 = 0 then now() - g * interval '5 hours' + g * interval '1 hour' end
      from generate_series(1, 300) g`);
    await f.client.db.execute(
      sql`update tickets set status = 'closed', resolved_at = now() where subject like 'bulk %' and id % 4 = 0`,
    );
    await f.client.db.execute(sql`insert into ratings (ticket_id, score)
      select id, 1 + id % 5 from tickets where subject like 'bulk %' and status = 'closed'`);
    await f.client.db.execute(
      sql`delete from ratings where ticket_id in (select id from tickets where subject like 'bulk %' and id % 8 = 0)`,
    );
    await f.client.db.execute(sql`delete from tickets where subject like 'bulk %' and id % 8 = 0`);
    await expectRollupExact();
  });
});

describe('the histogram median', () => {
  it('is within 4.4% of any duration from 1 s to 388 days (bucket middles)', () => {
    for (let s = 1; s < 2 ** 25; s *= 1.37) {
      const bucket = 2 + Math.floor(8 * Math.log2(s));
      expect(Math.abs(bucketMiddleMs(bucket) / (s * 1000) - 1)).toBeLessThanOrEqual(0.0443);
    }
  });

  it('is percentile_cont(0.5): the middle value, or the mean of the two middle ones; null when empty', () => {
    const counts = Array(202).fill(0);
    expect(histogramMedianMs(counts)).toBeNull();
    counts[9] = 1;
    expect(histogramMedianMs(counts)).toBe(Math.round(bucketMiddleMs(10)));
    counts[19] = 1;
    expect(histogramMedianMs(counts)).toBe(Math.round((bucketMiddleMs(10) + bucketMiddleMs(20)) / 2));
    counts[19] = 2;
    expect(histogramMedianMs(counts)).toBe(Math.round(bucketMiddleMs(20)));
  });
});
