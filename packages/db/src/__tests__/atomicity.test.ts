import { sql } from 'drizzle-orm';
import { createPendingEventSource } from '../use-cases';
import { type DbFixture, makeUser, setupDb } from './helpers';

let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('atomicity');
});
afterAll(async () => {
  await f.close();
});

describe('one transaction per write', () => {
  it('a failure after the message insert leaves neither the message nor its event, and publishes nothing', async () => {
    const customer = await makeUser(f.uc);
    const { ticket } = await f.uc.createTicket(customer, { subject: 'Atomic', body: 'first' });
    await f.uc.flush();
    const publishedBefore = f.bus.published.length;
    // Fault injection in the real database: the event insert (which follows the message insert) fails.
    await f.client.db.execute(sql`
      create or replace function tt_fail_event() returns trigger language plpgsql as $$
      begin raise exception 'injected failure'; end $$`);
    await f.client.db.execute(
      sql`create trigger tt_fail before insert on events for each row execute function tt_fail_event()`,
    );
    try {
      const failure = await f.uc
        .postMessage(customer, ticket.id, { body: 'doomed', clientMessageId: 'doomed-1' })
        .then(
          () => null,
          (error: unknown) => error as { cause?: { message?: string } },
        );
      expect(failure?.cause?.message).toMatch(/injected failure/);
    } finally {
      await f.client.db.execute(sql`drop trigger tt_fail on events`);
    }
    await f.uc.flush();
    const messages = await f.client.db.execute<{ n: number }>(
      sql`select count(*)::int as n from messages where body = 'doomed'`,
    );
    expect(messages.rows[0]?.n).toBe(0);
    const after = await f.uc.findTicket(ticket.id);
    expect(after?.lastSeq).toBe(ticket.lastSeq);
    expect((await f.uc.readEvents(ticket.id, 0)).map((e) => e.seq)).toEqual([1, 2]);
    expect(f.bus.published.length).toBe(publishedBefore);
    // The same request succeeds afterwards with the next seq: no gap was burnt.
    const ok = await f.uc.postMessage(customer, ticket.id, { body: 'doomed', clientMessageId: 'doomed-1' });
    expect(ok.message.seq).toBe(3);
  });

  it('publishes only after commit, and marks what it published', async () => {
    const customer = await makeUser(f.uc);
    let publishedInsideTransaction = -1;
    const { ticket } = await f.uc.transaction(async (t) => {
      const created = await t.createTicket(customer, { subject: 'Later', body: 'x' });
      publishedInsideTransaction = f.bus.published.filter(
        (m) => m.kind === 'event' && m.event.ticketId === created.ticket.id,
      ).length;
      return created;
    });
    expect(publishedInsideTransaction).toBe(0);
    await f.uc.flush();
    const mine = f.bus.published.filter((m) => m.kind === 'event' && m.event.ticketId === ticket.id);
    expect(mine.map((m) => (m.kind === 'event' ? m.event.type : ''))).toEqual([
      'ticket.created',
      'message.created',
    ]);
    const unmarked = await f.client.db.execute<{ n: number }>(
      sql`select count(*)::int as n from events where ticket_id = ${ticket.id} and published_at is null`,
    );
    expect(unmarked.rows[0]?.n).toBe(0);
  });

  it('a rolled-back transaction publishes nothing', async () => {
    const customer = await makeUser(f.uc);
    const before = f.bus.published.length;
    await expect(
      f.uc.transaction(async (t) => {
        await t.createTicket(customer, { subject: 'Never', body: 'x' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await f.uc.flush();
    expect(f.bus.published.length).toBe(before);
  });

  it('the pending source lists committed events the bus never confirmed', async () => {
    const customer = await makeUser(f.uc);
    const { ticket } = await f.uc.createTicket(customer, { subject: 'Pending', body: 'x' });
    await f.uc.flush();
    await f.client.db.execute(sql`update events set published_at = null where ticket_id = ${ticket.id}`);
    const source = createPendingEventSource(f.client.db);
    const pending = (await source.unpublished(1000, 0)).filter((e) => e.ticketId === ticket.id);
    expect(pending.map((e) => e.seq)).toEqual([1, 2]);
    await source.markPublished(pending.map((e) => e.id));
    expect((await source.unpublished(1000, 0)).filter((e) => e.ticketId === ticket.id)).toEqual([]);
  });
});
