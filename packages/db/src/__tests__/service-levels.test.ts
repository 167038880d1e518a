import { type Actor, type ServiceLevels, ValidationError } from '@tikethet/domain';
import { type DbFixture, makeUser, setupDb } from './helpers';

/**
 * SLA timers as the 0009 trigger keeps them through the use-cases, the timer job's alerts, and
 * auto-assignment under concurrency. Business hours here are the whole week (00:00-24:00, UTC), so a due
 * time is its start plus the target; business-time arithmetic itself is business-time.test.ts's.
 */
let f: DbFixture;
let admin: Actor;
let agent: Actor;
let customer: Actor;

const allWeek = Object.fromEntries(
  ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
) as ServiceLevels['hours'];

async function settings(patch: Partial<ServiceLevels> = {}): Promise<ServiceLevels> {
  const current = await f.uc.getServiceLevels(admin);
  return f.uc.putServiceLevels(admin, {
    ...current,
    timezone: 'UTC',
    hours: allWeek,
    holidays: [],
    ...patch,
  });
}

const minutesBetween = (a: string | null, b: string | null) =>
  a === null || b === null ? null : Math.round((Date.parse(b) - Date.parse(a)) / 60_000);

async function row(id: number) {
  const { rows } = await f.client.db.$client.query(
    `select sla_due_at, sla_alerted, sla_breached_at, created_at from tickets where id = $1`,
    [id],
  );
  return rows[0];
}

/** Moves a ticket's creation back and lets the trigger derive its timers again (as if time had passed). */
async function backdate(id: number, by: string) {
  await f.client.db.$client.query(
    `update tickets set created_at = created_at - $2::interval, sla_resolution_since = sla_resolution_since - $2::interval,
      sla_awaiting_since = coalesce(sla_awaiting_since, created_at) - $2::interval where id = $1`,
    [id, by],
  );
}

async function jobOf(id: number) {
  const { rows } = await f.client.db.$client.query<{ run_at: Date }>(
    `select run_at from graphile_worker.jobs where key = $1`,
    [`sla:${id}`],
  );
  return rows[0] ?? null;
}

beforeAll(async () => {
  f = await setupDb('service_levels', 30);
  admin = await makeUser(f.uc, 'admin');
  agent = await makeUser(f.uc, 'agent');
  customer = await makeUser(f.uc);
  await f.uc.setAvailability(agent, 'away');
  await settings();
});
afterAll(async () => {
  await f.close();
});

describe('settings', () => {
  test('a wrong field is a validation error naming it; an unknown zone is refused', async () => {
    const current = await f.uc.getServiceLevels(admin);
    await expect(
      f.uc.putServiceLevels(admin, {
        ...current,
        targets: { ...current.targets, high: { firstResponseMin: 0 } },
      }),
    ).rejects.toMatchObject({
      issues: expect.arrayContaining([expect.objectContaining({ path: 'targets.high.firstResponseMin' })]),
    });
    await expect(
      f.uc.putServiceLevels(admin, { ...current, timezone: 'Mars/Olympus' }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      f.uc.putServiceLevels(admin, { ...current, hours: { ...current.hours, mon: [['09:00', '9:30']] } }),
    ).rejects.toMatchObject({ issues: [expect.objectContaining({ path: 'hours.mon.0.1' })] });
  });
  test('agents and customers may neither read nor set them', async () => {
    const current = await f.uc.getServiceLevels(admin);
    for (const who of [agent, customer]) {
      await expect(f.uc.getServiceLevels(who)).rejects.toMatchObject({ code: 'forbidden' });
      await expect(f.uc.putServiceLevels(who, current)).rejects.toMatchObject({ code: 'forbidden' });
    }
  });
  test('a customer cannot set an availability', async () => {
    await expect(f.uc.setAvailability(customer, 'online')).rejects.toMatchObject({ code: 'forbidden' });
  });
});

describe('timers', () => {
  test('a new ticket runs first response and resolution by its priority; the job sits 15 minutes before', async () => {
    const { ticket } = await f.uc.createTicket(customer, { subject: 'timers', body: 'hello' });
    expect(minutesBetween(ticket.createdAt, ticket.sla.firstResponseDueAt)).toBe(240);
    expect(minutesBetween(ticket.createdAt, ticket.sla.resolutionDueAt)).toBe(1440);
    expect(ticket.sla.nextResponseDueAt).toBeNull();
    const job = await jobOf(ticket.id);
    expect(minutesBetween(job?.run_at.toISOString() ?? null, ticket.sla.firstResponseDueAt)).toBe(15);
  });

  test('a priority change moves the timers and the job', async () => {
    const { ticket } = await f.uc.createTicket(customer, { subject: 'priority', body: 'hello' });
    const urgent = await f.uc.updateTicket(agent, ticket.id, { priority: 'urgent', version: ticket.version });
    expect(minutesBetween(ticket.createdAt, urgent.sla.firstResponseDueAt)).toBe(30);
    expect(minutesBetween(ticket.createdAt, urgent.sla.resolutionDueAt)).toBe(240);
    const job = await jobOf(ticket.id);
    expect(minutesBetween(job?.run_at.toISOString() ?? null, urgent.sla.firstResponseDueAt)).toBe(15);
    // Due sooner than the warning's 15 minutes: the job runs at once (the change's transaction time).
    await backdate(ticket.id, '20 minutes');
    expect((await jobOf(ticket.id))?.run_at.getTime()).toBeLessThanOrEqual(Date.now());
  });

  test('an agent reply stops first response; the customer writing again starts next response', async () => {
    const { ticket } = await f.uc.createTicket(customer, { subject: 'replies', body: 'hello' });
    const replied = await f.uc.postMessage(agent, ticket.id, { body: 'on it' });
    expect(replied.ticket.sla.firstResponseDueAt).toBeNull();
    expect(replied.ticket.sla.nextResponseDueAt).toBeNull();
    const again = await f.uc.postMessage(customer, ticket.id, { body: 'and?' });
    expect(minutesBetween(again.message.createdAt, again.ticket.sla.nextResponseDueAt)).toBe(480);
    // A second customer message does not restart the clock.
    const third = await f.uc.postMessage(customer, ticket.id, { body: 'hello?' });
    expect(third.ticket.sla.nextResponseDueAt).toBe(again.ticket.sla.nextResponseDueAt);
    const note = await f.uc.postMessage(agent, ticket.id, { body: 'internal', internal: true });
    expect(note.ticket.sla.nextResponseDueAt).toBe(again.ticket.sla.nextResponseDueAt);
    const answer = await f.uc.postMessage(agent, ticket.id, { body: 'done' });
    expect(answer.ticket.sla.nextResponseDueAt).toBeNull();
  });

  test('pending pauses the resolution clock and resuming adds the paused business time', async () => {
    const { ticket } = await f.uc.createTicket(customer, { subject: 'pending', body: 'hello' });
    const pending = await f.uc.updateTicket(agent, ticket.id, { status: 'pending', version: ticket.version });
    expect(pending.sla.resolutionDueAt).toBeNull();
    expect(pending.sla.pausedAt).not.toBeNull();
    // As if it had waited for the customer for an hour.
    await f.client.db.$client.query(
      `update tickets set sla_paused_at = sla_paused_at - interval '1 hour' where id = $1`,
      [ticket.id],
    );
    const back = await f.uc.updateTicket(agent, ticket.id, { status: 'open', version: pending.version });
    expect(back.sla.pausedAt).toBeNull();
    expect(minutesBetween(ticket.sla.resolutionDueAt, back.sla.resolutionDueAt)).toBe(60);
  });

  test('resolving stops every timer and removes the job; reopening starts resolution afresh', async () => {
    const { ticket } = await f.uc.createTicket(customer, { subject: 'resolve', body: 'hello' });
    const resolved = await f.uc.updateTicket(agent, ticket.id, {
      status: 'resolved',
      version: ticket.version,
    });
    expect(resolved.sla).toMatchObject({ firstResponseDueAt: null, resolutionDueAt: null });
    expect(await jobOf(ticket.id)).toBeNull();
    const reopened = await f.uc.updateTicket(customer, ticket.id, {
      status: 'open',
      version: resolved.version,
    });
    expect(minutesBetween(reopened.updatedAt, reopened.sla.resolutionDueAt)).toBe(1440);
  });

  test('the job warns once 15 minutes before, then breaches once at the due time', async () => {
    const { ticket } = await f.uc.createTicket(customer, { subject: 'alerts', body: 'hello' });
    // Created 230 minutes ago: first response is due in 10 minutes (a touch of a watched column re-derives it).
    await backdate(ticket.id, '230 minutes');
    const before = f.bus.published.length;
    const warned = await f.uc.fireSlaTimer(ticket.id);
    expect(warned?.sla.breachedAt).toBeNull();
    expect(await f.uc.fireSlaTimer(ticket.id)).toBeNull();
    const due = (await row(ticket.id)).sla_due_at as Date;
    expect((await jobOf(ticket.id))?.run_at.toISOString()).toBe(due.toISOString());
    await f.uc.flush();
    const events = f.bus.published.slice(before).flatMap((m) => (m.kind === 'event' ? [m.event] : []));
    expect(events.map((e) => e.type === 'ticket.updated' && e.data.slaAlert?.kind)).toEqual(['warning']);
    // Now past it.
    await backdate(ticket.id, '20 minutes');
    const breached = await f.uc.fireSlaTimer(ticket.id);
    expect(breached?.sla.breachedAt).not.toBeNull();
    expect(await f.uc.fireSlaTimer(ticket.id)).toBeNull();
    // A late answer keeps the breach on record.
    const answered = await f.uc.postMessage(agent, ticket.id, { body: 'sorry' });
    expect(answered.ticket.sla.breachedAt).toBe(breached?.sla.breachedAt);
  });
});

describe('lists', () => {
  test('sla=breached and due_soon, and sort=due, for staff; a customer is refused', async () => {
    const { ticket: late } = await f.uc.createTicket(customer, { subject: 'late', body: 'x' });
    await backdate(late.id, '1 day');
    const forced = late;
    const { ticket: soon } = await f.uc.createTicket(customer, { subject: 'soon', body: 'x' });
    await f.uc.updateTicket(agent, soon.id, { priority: 'urgent', version: soon.version });
    const breached = await f.uc.listTickets(agent, { sla: 'breached' });
    expect(breached.items.map((t) => t.id)).toContain(forced.id);
    expect(breached.items.map((t) => t.id)).not.toContain(soon.id);
    const dueSoon = await f.uc.listTickets(agent, { sla: 'due_soon' });
    expect(dueSoon.items.map((t) => t.id)).toContain(soon.id);
    expect(dueSoon.items.map((t) => t.id)).not.toContain(forced.id);
    const page1 = await f.uc.listTickets(agent, { sort: 'due', limit: '2' });
    const page2 = await f.uc.listTickets(agent, { sort: 'due', limit: '2', cursor: page1.nextCursor ?? '' });
    const dues = [...page1.items, ...page2.items].map((t) => t.sla);
    const nearest = dues.map((s) =>
      Math.min(
        ...[s.firstResponseDueAt, s.nextResponseDueAt, s.resolutionDueAt]
          .filter((x) => x !== null)
          .map(Date.parse),
      ),
    );
    expect(nearest).toEqual([...nearest].sort((a, b) => a - b));
    await expect(f.uc.listTickets(customer, { sort: 'due' })).rejects.toMatchObject({ code: 'forbidden' });
    await expect(f.uc.listTickets(customer, { sla: 'breached' })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});

describe('auto-assignment', () => {
  test('round robin: 50 concurrent tickets, 3 online agents, cap 10 — none over, spread even, away gets none', async () => {
    const agents = [
      await makeUser(f.uc, 'agent'),
      await makeUser(f.uc, 'agent'),
      await makeUser(f.uc, 'agent'),
    ];
    const away = await makeUser(f.uc, 'agent');
    await f.uc.setAvailability(away, 'away');
    await settings({ assignment: { mode: 'round_robin', maxOpenPerAgent: 10 } });
    const customers = await Promise.all(Array.from({ length: 10 }, () => makeUser(f.uc)));
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        f.uc.createTicket(customers[i % 10] as Actor, { subject: `rr ${i}`, body: 'x' }),
      ),
    );
    const counts = new Map<number | null, number>();
    for (const { ticket } of created) counts.set(ticket.assigneeId, (counts.get(ticket.assigneeId) ?? 0) + 1);
    for (const a of agents) expect(counts.get(a.id)).toBe(10);
    expect(counts.get(away.id)).toBeUndefined();
    expect(counts.get(null)).toBe(20);
    // In the database too (not only in the answers).
    const { rows } = await f.client.db.$client.query<{ assignee_id: string; n: number }>(
      `select assignee_id, count(*)::int as n from tickets where subject like 'rr %' group by assignee_id`,
    );
    expect(rows.filter((r) => r.assignee_id !== null).every((r) => r.n === 10)).toBe(true);
    for (const a of agents) await f.uc.setAvailability(a, 'away');
    await settings({ assignment: { mode: 'manual', maxOpenPerAgent: 10 } });
  });

  test('round robin spreads within one of even below the cap', async () => {
    const agents = [
      await makeUser(f.uc, 'agent'),
      await makeUser(f.uc, 'agent'),
      await makeUser(f.uc, 'agent'),
    ];
    await settings({ assignment: { mode: 'round_robin', maxOpenPerAgent: 100 } });
    const c = await makeUser(f.uc);
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) => f.uc.createTicket(c, { subject: `spread ${i}`, body: 'x' })),
    );
    const counts = agents.map((a) => created.filter((t) => t.ticket.assigneeId === a.id).length);
    expect(counts.sort()).toEqual([6, 7, 7]);
    for (const a of agents) await f.uc.setAvailability(a, 'away');
    await settings({ assignment: { mode: 'manual', maxOpenPerAgent: 10 } });
  });

  test('least loaded fills the emptiest online agent first, within the cap', async () => {
    const [busy, idle] = [await makeUser(f.uc, 'agent'), await makeUser(f.uc, 'agent')];
    const c = await makeUser(f.uc);
    // busy already has 3 open tickets (assigned by hand).
    for (let i = 0; i < 3; i++) {
      const { ticket } = await f.uc.createTicket(c, { subject: `load ${i}`, body: 'x' });
      await f.uc.updateTicket(admin, ticket.id, { assigneeId: busy.id, version: ticket.version });
    }
    await settings({ assignment: { mode: 'least_loaded', maxOpenPerAgent: 4 } });
    const created = [];
    for (let i = 0; i < 6; i++)
      created.push((await f.uc.createTicket(c, { subject: `ll ${i}`, body: 'x' })).ticket);
    // idle catches up to 3, then they alternate; the cap of 4 stops both; the rest stay unassigned.
    expect(
      created.map((t) => (t.assigneeId === idle.id ? 'idle' : t.assigneeId === busy.id ? 'busy' : null)),
    ).toEqual(['idle', 'idle', 'idle', 'busy', 'idle', null]);
    for (const a of [busy, idle]) await f.uc.setAvailability(a, 'away');
    await settings({ assignment: { mode: 'manual', maxOpenPerAgent: 10 } });
  });
});
