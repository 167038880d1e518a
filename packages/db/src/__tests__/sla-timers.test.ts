import type { Actor, ServiceLevels } from '@tikethet/domain';
import { createDb, type DbClient } from '../client';
import { type SlaTimerWorker, startSlaTimerWorker } from '../job-queue';
import { type DbFixture, makeUser, setupDb } from './helpers';

/**
 * The SLA timer jobs on graphile-worker with real runners: two workers on one database fire a timer once,
 * a job scheduled while no worker runs fires when one starts again, and a moved due time moves the job.
 */
let f: DbFixture;
let customer: Actor;
let admin: Actor;
const clients: DbClient[] = [];
const workers: SlaTimerWorker[] = [];

const allWeek = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
) as ServiceLevels['hours'];

beforeAll(async () => {
  f = await setupDb('sla_timers', 8);
  admin = await makeUser(f.uc, 'admin');
  customer = await makeUser(f.uc);
  const current = await f.uc.getServiceLevels(admin);
  await f.uc.putServiceLevels(admin, { ...current, timezone: 'UTC', hours: allWeek });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(clients.map((c) => c.close()));
  await f.close();
});

/** A worker as an API process runs one: its own pool, LISTEN, the use-case as the task. */
async function startWorker(fired: number[]) {
  const client = createDb(f.database.url, { max: 4 });
  clients.push(client);
  const worker = await startSlaTimerWorker({
    db: client.db,
    mode: 'listen',
    pollMs: 200,
    fire: async (ticketId) => {
      fired.push(ticketId);
      return f.uc.fireSlaTimer(ticketId);
    },
    autoReply: (ticketId) => f.uc.sendAutoReply(ticketId),
  });
  workers.push(worker);
  return worker;
}

/** A polling worker on its own pool with only the given recurring task (the timers do nothing here). */
async function startPollingWorker(
  task: Pick<Parameters<typeof startSlaTimerWorker>[0], 'sweepBlobs' | 'sweepEveryMs' | 'recomputeSla'>,
) {
  const client = createDb(f.database.url, { max: 2 });
  clients.push(client);
  const worker = await startSlaTimerWorker({
    db: client.db,
    mode: 'poll',
    pollMs: 200,
    fire: async () => undefined,
    autoReply: async () => undefined,
    ...task,
  });
  workers.push(worker);
  return worker;
}

/** Moves the ticket's creation back so its first response falls due `inSeconds` from now (normal: 240 min). */
async function dueIn(id: number, inSeconds: number) {
  await f.client.db.$client.query(
    `update tickets set created_at = now() - interval '240 minutes' + make_interval(secs => $2),
      sla_awaiting_since = now() where id = $1`,
    [id, inSeconds],
  );
}

async function alertsOf(id: number) {
  const { rows } = await f.client.db.$client.query<{ kind: string }>(
    `select data->'slaAlert'->>'kind' as kind from events
     where ticket_id = $1 and type = 'ticket.updated' and data ? 'slaAlert' order by seq`,
    [id],
  );
  return rows.map((r) => r.kind);
}

async function until(check: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('timed out waiting');
}

test('two workers: a breach fires once', async () => {
  const firedA: number[] = [];
  const firedB: number[] = [];
  await startWorker(firedA);
  await startWorker(firedB);
  const { ticket } = await f.uc.createTicket(customer, { subject: 'two workers', body: 'x' });
  await dueIn(ticket.id, -5);
  await until(async () => (await alertsOf(ticket.id)).length > 0);
  // Time for a second firing, were there one.
  await new Promise((r) => setTimeout(r, 1500));
  expect(await alertsOf(ticket.id)).toEqual(['breach']);
  expect([...firedA, ...firedB].filter((id) => id === ticket.id)).toHaveLength(1);
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

test('scheduled with no worker running, it fires when a worker starts again; a move follows', async () => {
  // Warning due 2 s from now (15 minutes before a due time 15 min 2 s away), while no worker runs.
  const { ticket } = await f.uc.createTicket(customer, { subject: 'restart', body: 'x' });
  await dueIn(ticket.id, 15 * 60 + 2);
  const { rows } = await f.client.db.$client.query<{ run_at: Date; due: Date }>(
    `select j.run_at, t.sla_due_at as due from graphile_worker.jobs j, tickets t
     where j.key = 'sla:' || t.id and t.id = $1`,
    [ticket.id],
  );
  expect((rows[0]?.due.getTime() ?? 0) - (rows[0]?.run_at.getTime() ?? 0)).toBe(15 * 60_000);
  await new Promise((r) => setTimeout(r, 3000));
  expect(await alertsOf(ticket.id)).toEqual([]);
  const fired: number[] = [];
  await startWorker(fired);
  await until(async () => (await alertsOf(ticket.id)).length > 0);
  expect(await alertsOf(ticket.id)).toEqual(['warning']);
  // The warning re-scheduled the job at the due time itself.
  const job = await f.client.db.$client.query<{ run_at: Date; due: Date }>(
    `select j.run_at, t.sla_due_at as due from graphile_worker.jobs j, tickets t
     where j.key = 'sla:' || t.id and t.id = $1`,
    [ticket.id],
  );
  expect(job.rows[0]?.run_at.toISOString()).toBe(job.rows[0]?.due.toISOString());
  // The priority goes up: urgent's 15 minutes are long past, so the breach fires now.
  const current = await f.uc.getTicket(admin, ticket.id);
  await f.uc.updateTicket(admin, ticket.id, { priority: 'urgent', version: current.version });
  await until(async () => (await alertsOf(ticket.id)).length > 1);
  expect(await alertsOf(ticket.id)).toEqual(['warning', 'breach']);
});

test('out of hours: one auto-reply per off-hours period per ticket, with the expected time', async () => {
  await startWorker([]);
  // Business hours only on a weekday other than today (UTC), so now is off-hours.
  const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
  const other = days[(new Date().getUTCDay() + 3) % 7] as (typeof days)[number];
  const hours = Object.fromEntries(days.map((d) => [d, d === other ? [['09:00', '18:00']] : []]));
  const current = await f.uc.getServiceLevels(admin);
  await f.uc.putServiceLevels(admin, {
    ...current,
    timezone: 'UTC',
    hours: hours as ServiceLevels['hours'],
    autoReply: { enabled: true, ru: 'Ответим {time}.', en: 'We will answer around {time}.' },
  });
  const english = await makeUser(f.uc);
  await f.client.db.$client.query(`update users set language_code = 'en' where id = $1`, [english.id]);
  const { ticket } = await f.uc.createTicket(english, { subject: 'night', body: 'anyone?' });
  const systemMessages = async () =>
    (
      await f.client.db.$client.query<{ body: string }>(
        `select body from messages where ticket_id = $1 and kind = 'system' order by seq`,
        [ticket.id],
      )
    ).rows.map((r) => r.body);
  await until(async () => (await systemMessages()).length === 1);
  const [reply] = await systemMessages();
  expect(reply).toMatch(/^We will answer around \w{3} \d{1,2} \w+ at 09:00 UTC\.$/);
  // Writing again in the same night: no second reply.
  await f.uc.postMessage(english, ticket.id, { body: 'hello?' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(await systemMessages()).toHaveLength(1);
  // As if the last reply was before the last business day: a new off-hours period, a new reply.
  await f.client.db.$client.query(
    `update tickets set auto_replied_at = now() - interval '8 days' where id = $1`,
    [ticket.id],
  );
  await f.uc.postMessage(english, ticket.id, { body: 'next night' });
  await until(async () => (await systemMessages()).length === 2);
  // Within business hours: none.
  await f.uc.putServiceLevels(admin, { ...(await f.uc.getServiceLevels(admin)), hours: allWeek });
  await f.client.db.$client.query(`update tickets set auto_replied_at = null where id = $1`, [ticket.id]);
  await f.uc.postMessage(english, ticket.id, { body: 'daytime' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(await systemMessages()).toHaveLength(2);
  // Switched off: none either.
  await f.uc.putServiceLevels(admin, {
    ...(await f.uc.getServiceLevels(admin)),
    hours: hours as ServiceLevels['hours'],
    autoReply: { enabled: false, ru: 'x', en: 'x' },
  });
  await f.uc.postMessage(english, ticket.id, { body: 'off' });
  await new Promise((r) => setTimeout(r, 1500));
  expect(await systemMessages()).toHaveLength(2);
});

it('the blob sweep is one recurring job across instances, carrying its cursor from run to run', async () => {
  const seen: number[] = [];
  const sweepBlobs = async (after: number) => {
    seen.push(after);
    return { next: after + 5, more: seen.length === 1 };
  };
  for (let i = 0; i < 2; i += 1) await startPollingWorker({ sweepBlobs, sweepEveryMs: 3_600_000 });
  // A run that left more goes on a second later from where it stopped; then it waits the interval.
  await until(async () => seen.length >= 2);
  const { rows } = await f.client.db.$client.query<{ payload: { after: number }; later: boolean }>(
    `select j.payload, j.run_at > now() + interval '50 minutes' as later
     from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
     where t.identifier = 'blob_sweep'`,
  );
  expect(seen).toEqual([0, 5]);
  expect(rows).toEqual([{ payload: { after: 10 }, later: true }]);
});

describe('changed service levels reach the open tickets already running', () => {
  const dueOf = async (id: number) => {
    const { rows } = await f.client.db.$client.query<{ due: Date | null; run_at: Date | null }>(
      `select t.sla_first_response_due_at as due, j.run_at from tickets t
       left join graphile_worker.jobs j on j.key = 'sla:' || t.id where t.id = $1`,
      [id],
    );
    return { due: rows[0]?.due?.getTime() ?? null, runAt: rows[0]?.run_at?.getTime() ?? null };
  };
  const recomputeJob = async () => {
    const { rows } = await f.client.db.$client.query<{ payload: { after: number; since: string } }>(
      `select j.payload from graphile_worker._private_jobs j
       join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'sla_recompute'`,
    );
    return rows[0]?.payload;
  };
  // Open all week in UTC: due times move by exactly the change in minutes.
  const withFirstResponse = (settings: ServiceLevels, minutes: number): ServiceLevels => ({
    ...settings,
    timezone: 'UTC',
    hours: allWeek,
    holidays: [],
    targets: { ...settings.targets, normal: { ...settings.targets.normal, firstResponseMin: minutes } },
  });

  it('a worker re-derives their due times and moves their timers; closed tickets keep none', async () => {
    const settings = await f.uc.getServiceLevels(admin);
    await f.uc.putServiceLevels(admin, withFirstResponse(settings, 240));
    const { ticket } = await f.uc.createTicket(customer, { subject: 'running', body: 'x' });
    const { ticket: closed } = await f.uc.createTicket(customer, { subject: 'done', body: 'x' });
    await f.uc.updateTicket(admin, closed.id, { status: 'closed', version: closed.version });
    const before = await dueOf(ticket.id);
    expect(before.due).not.toBeNull();

    await f.uc.putServiceLevels(admin, withFirstResponse(settings, 600));
    // Queued with the change, in its transaction; nothing moves until a worker runs it.
    expect((await recomputeJob())?.after).toBe(0);
    expect((await dueOf(ticket.id)).due).toBe(before.due);

    const worker = await startPollingWorker({ recomputeSla: (run) => f.uc.recomputeSla(run) });
    await until(async () => (await dueOf(ticket.id)).due === (before.due ?? 0) + 360 * 60_000);
    const after = await dueOf(ticket.id);
    expect((after.due ?? 0) - (after.runAt ?? 0)).toBe(15 * 60_000);
    expect((await dueOf(closed.id)).due).toBeNull();
    await until(async () => (await recomputeJob()) === undefined);
    await worker.stop();
  });

  it('runs in batches from a cursor, and a chain for settings changed since stops', async () => {
    const settings = await f.uc.getServiceLevels(admin);
    const ids: number[] = [];
    for (let i = 0; i < 3; i += 1)
      ids.push((await f.uc.createTicket(customer, { subject: `b${i}`, body: 'x' })).ticket.id);
    await f.uc.putServiceLevels(admin, withFirstResponse(settings, 900));
    // No worker runs the job here: the runs are called by hand.
    const since = (await recomputeJob())?.since ?? '';
    expect(since).not.toBe('');
    // Ids only grow: start just before the three, two at a time.
    const first = await f.uc.recomputeSla({ after: (ids[0] ?? 1) - 1, since, limit: 2 });
    expect(first).toEqual({ next: ids[1], more: true });
    const second = await f.uc.recomputeSla({ after: first.next, since, limit: 2 });
    expect(second.next).toBe(ids[2]);
    // Settings changed again: the old chain's next run does nothing.
    await f.uc.putServiceLevels(admin, withFirstResponse(settings, 240));
    expect(await f.uc.recomputeSla({ after: 0, since, limit: 2 })).toEqual({ next: 0, more: false });
    expect((await recomputeJob())?.since).not.toBe(since);
  });
});
