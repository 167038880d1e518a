import { ConflictError } from '@tikethet/domain';
import { sql } from 'drizzle-orm';
import { type DbFixture, makeUser, setupDb } from './helpers';

let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('concurrency', 20);
});
afterAll(async () => {
  await f.close();
});

describe('concurrency on one ticket', () => {
  it('200 concurrent postMessage calls give gap-free seqs, one message each', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const { ticket } = await f.uc.createTicket(customer, { subject: 'Busy ticket', body: 'first' });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        f.uc.postMessage(i % 2 === 0 ? customer : agent, ticket.id, { body: `message ${i}` }),
      ),
    );
    const seqs = results.map((r) => r.message.seq).sort((a, b) => a - b);
    expect(new Set(seqs).size).toBe(200);
    const events = await f.uc.readEvents(ticket.id, 0, 10_000);
    // Every event seq from 1 to the ticket's last seq, each exactly once, in order.
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: events.length }, (_, i) => i + 1));
    const after = await f.uc.findTicket(ticket.id);
    expect(after?.lastSeq).toBe(events.length);
    const count = await f.client.db.execute<{ n: number }>(
      sql`select count(*)::int as n from messages where ticket_id = ${ticket.id}`,
    );
    expect(count.rows[0]?.n).toBe(201);
    // Each message's seq is the seq of its own message.created event.
    const created = events.filter((e) => e.type === 'message.created');
    expect(created).toHaveLength(201);
    for (const e of created) if (e.type === 'message.created') expect(e.data.message.seq).toBe(e.seq);
  });

  it('50 parallel claims give exactly one winner', async () => {
    const customer = await makeUser(f.uc);
    const agents = await Promise.all(Array.from({ length: 50 }, () => makeUser(f.uc, 'agent')));
    const { ticket } = await f.uc.createTicket(customer, { subject: 'Claim me', body: 'please' });
    const results = await Promise.allSettled(agents.map((a) => f.uc.claimTicket(a, ticket.id)));
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') {
        expect(r.reason).toBeInstanceOf(ConflictError);
        expect((r.reason as ConflictError).code).toBe('already_claimed');
      }
    }
    const after = await f.uc.findTicket(ticket.id);
    const winner = winners[0];
    expect(winner?.status === 'fulfilled' && winner.value.assigneeId).toBe(after?.assigneeId);
    expect(after?.status).toBe('open');
  });

  it('the same clientMessageId 20 times concurrently gives one row', async () => {
    const customer = await makeUser(f.uc);
    const { ticket } = await f.uc.createTicket(customer, { subject: 'Idem', body: 'x' });
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        f.uc.postMessage(customer, ticket.id, { body: 'once', clientMessageId: 'cm-1' }),
      ),
    );
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const count = await f.client.db.execute<{ n: number }>(
      sql`select count(*)::int as n from messages where ticket_id = ${ticket.id} and client_message_id = 'cm-1'`,
    );
    expect(count.rows[0]?.n).toBe(1);
    const events = await f.uc.readEvents(ticket.id, 0);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('the same ticket clientMessageId 20 times concurrently creates one ticket', async () => {
    const customer = await makeUser(f.uc);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        f.uc.createTicket(customer, { subject: 'Once', body: 'only once', clientMessageId: 'new-1' }),
      ),
    );
    expect(new Set(results.map((r) => r.ticket.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
  });
});
