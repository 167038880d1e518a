import {
  type Actor,
  ConflictError,
  ForbiddenError,
  type Message,
  NotFoundError,
  type TicketEvent,
} from '@tikethet/domain';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { iso } from '../mappers';
import { isoSql } from '../use-cases/message-write-statement';
import { type DbFixture, makeUser, setupDb } from './helpers';

let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('message_writer', 10);
});
afterAll(async () => {
  await f.close();
});

async function openTicket(customer: Actor, agent: Actor, subject = 'Printer') {
  const { ticket } = await f.uc.createTicket(customer, { subject, body: 'it jams' });
  await f.uc.postMessage(agent, ticket.id, { body: 'looking' });
  return ticket;
}

async function storedEventOf(message: Message): Promise<TicketEvent> {
  const events = await f.uc.readEvents(message.ticketId, message.seq - 1, 1);
  const event = events[0];
  if (!event) throw new Error('no event');
  return event;
}

function publishedOf(ticketId: number): TicketEvent[] {
  return f.bus.published.flatMap((m) =>
    m.kind === 'event' && m.event.ticketId === ticketId ? [m.event] : [],
  );
}

const original = pg.Client.prototype.query;
const generated = (m: Message) => ({ ...m, id: 0, ticketId: 0, seq: 0, createdAt: '' });

describe('the message writer', () => {
  it('writes the same message and ticket on the API’s path and inside a caller’s transaction', async () => {
    const customer = await makeUser(f.uc, 'customer', 'Ann');
    const agent = await makeUser(f.uc, 'agent', 'Bob');
    const cases: [Actor, { body: string; internal?: boolean; clientMessageId?: string }][] = [
      [customer, { body: 'Still jams, see   page\n two', clientMessageId: 'c-1' }],
      [agent, { body: 'Try the rear tray' }],
      [agent, { body: 'Known model issue', internal: true }],
    ];
    const a = await openTicket(customer, agent);
    const b = await openTicket(customer, agent);
    for (const [actor, input] of cases) {
      f.bus.published.length = 0;
      const fast = { result: await f.uc.postMessage(actor, a.id, input) };
      const slow = { result: await f.uc.transaction((t) => t.postMessage(actor, b.id, input)) };
      const fm = fast.result.message;
      const sm = slow.result.message;
      expect(generated(fm)).toEqual(generated(sm));
      expect(fm.createdAt).toBe(iso(fm.createdAt));
      expect(fast.result.created).toBe(true);
      // The returned message is the one stored in the event and the one listed later.
      const fe = await storedEventOf(fm);
      const se = await storedEventOf(sm);
      expect(fe).toMatchObject({ type: 'message.created', seq: fm.seq, internal: fm.internal });
      expect(fe.type === 'message.created' && fe.data.message).toEqual(fm);
      expect(se.type === 'message.created' && se.data.message).toEqual(sm);
      expect(Object.keys(fe).sort()).toEqual(Object.keys(se).sort());
      const listed = await f.uc.listMessages(actor, a.id, { after: String(fm.seq - 1), limit: '1' });
      expect(listed[0]).toEqual(fm);
      // Published after commit: the stored event as it is read back.
      const published = f.bus.published.filter((p) => p.kind === 'event');
      expect(published.map((p) => p.kind === 'event' && p.event)).toContainEqual(fe);
      // The tickets changed alike (seq, activity, preview, first response, search words).
      const ft = fast.result.ticket;
      const st = slow.result.ticket;
      expect(ft).toEqual(await f.uc.findTicket(a.id));
      expect({ ...ft, id: 0, createdAt: '', updatedAt: '', lastMessageAt: '', firstResponseAt: '' }).toEqual({
        ...st,
        id: 0,
        createdAt: '',
        updatedAt: '',
        lastMessageAt: '',
        firstResponseAt: '',
      });
    }
    const search = await f.client.db.execute<{ same: boolean }>(
      sql`select (select search::text from tickets where id = ${a.id}) = (select search::text from tickets where id = ${b.id}) as same`,
    );
    expect(search.rows[0]?.same).toBe(true);
  });

  it('writes a quiet message on its own in one statement, outside a transaction', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    await f.uc.postMessage(customer, ticket.id, { body: 'seen once: the author is known now' });
    // Every statement any connection sends, by name (a prepared statement) or text.
    const sent: string[] = [];
    const query = jest.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
      this: pg.Client,
      ...args: unknown[]
    ) {
      const first = args[0] as string | { name?: string; text?: string };
      sent.push(typeof first === 'string' ? first : (first.name ?? first.text ?? ''));
      return original.apply(this, args as never);
    } as never);
    try {
      const posted = await f.uc.postMessage(customer, ticket.id, {
        body: 'one trip',
        clientMessageId: 'one-1',
      });
      expect(posted.created).toBe(true);
      expect(sent.filter((q) => /^(begin|tt_)/i.test(q))).toEqual(['tt_write_one_customer_own']);
      // A message that moves the ticket (a customer on pending) takes the transaction.
      await f.uc.updateTicket(agent, ticket.id, { status: 'pending', version: posted.ticket.version });
      sent.length = 0;
      const moved = await f.uc.postMessage(customer, ticket.id, { body: 'back to you' });
      expect(moved.ticket.status).toBe('open');
      expect(sent.map((q) => q.toLowerCase())).toContain('begin');
    } finally {
      query.mockRestore();
    }
  });

  it('formats timestamps in SQL exactly as iso() does', async () => {
    const stamps = [
      '2024-05-01 10:00:00.999999+00',
      '2024-05-01 10:00:00.000500+03',
      '1999-12-31 23:59:59.9995-05',
      '2030-01-02 03:04:05+00',
    ];
    for (const stamp of stamps) {
      const rows = await f.client.db.execute<{ raw: string; formatted: string }>(
        sql`select ${stamp}::timestamptz::text as raw, ${isoSql(sql`${stamp}::timestamptz`)} as formatted`,
      );
      const row = rows.rows[0];
      expect(row?.formatted).toBe(iso(row?.raw ?? ''));
    }
  });
});

describe('what the writer refuses or answers without writing', () => {
  it('a missing ticket or someone else’s is not found', async () => {
    const customer = await makeUser(f.uc);
    const other = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const seqBefore = (await f.uc.findTicket(ticket.id))?.lastSeq;
    const missing = await f.uc.postMessage(customer, 99_999_999, { body: 'hi' }).catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    const foreign = await f.uc.postMessage(other, ticket.id, { body: 'hi' }).catch((e) => e);
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect((await f.uc.findTicket(ticket.id))?.lastSeq).toBe(seqBefore);
  });

  it('a customer’s internal note is forbidden', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const note = await f.uc
      .postMessage(customer, ticket.id, { body: 'psst', internal: true })
      .catch((e) => e);
    expect(note).toBeInstanceOf(ForbiddenError);
  });

  it('a closed ticket refuses the customer', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const now = await f.uc.findTicket(ticket.id);
    const closed = await f.uc.updateTicket(agent, ticket.id, {
      status: 'closed',
      version: now?.version ?? 0,
    });
    const late = await f.uc.postMessage(customer, ticket.id, { body: 'hello?' }).catch((e) => e);
    expect(late).toBeInstanceOf(ConflictError);
    expect((late as ConflictError).code).toBe('invalid_transition');
    expect((await f.uc.findTicket(ticket.id))?.lastSeq).toBe(closed.lastSeq);
  });

  it('a message that moves the ticket takes the next seq for its ticket.updated: the first agent reply, a customer on pending', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const { ticket } = await f.uc.createTicket(customer, { subject: 'New one', body: 'hi' });
    f.bus.published.length = 0;
    const first = await f.uc.postMessage(agent, ticket.id, { body: 'hello' });
    expect(first.ticket.status).toBe('open');
    expect(first.ticket.firstResponseAt).not.toBeNull();
    const pending = await f.uc.updateTicket(agent, ticket.id, {
      status: 'pending',
      version: first.ticket.version,
    });
    const back = await f.uc.postMessage(customer, ticket.id, { body: 'any news?' });
    expect(back.ticket.status).toBe('open');
    expect(back.ticket.version).toBe(pending.version + 1);
    const events = await f.uc.readEvents(ticket.id, 0);
    expect(events.map((e) => e.type).slice(-2)).toEqual(['message.created', 'ticket.updated']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const moved = events[events.length - 1];
    expect(moved?.type === 'ticket.updated' && moved.data.ticket).toEqual(back.ticket);
    // Published in seq order, as stored.
    const published = publishedOf(ticket.id);
    expect(published).toEqual(events.slice(-published.length));
    const next = await f.uc.postMessage(customer, ticket.id, { body: 'thanks' });
    expect(next.message.seq).toBe(events.length + 1);
    expect(next.ticket.version).toBe(back.ticket.version);
  });

  it('a clientMessageId seen before answers with the first message, or a conflict for another author', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const first = await f.uc.postMessage(customer, ticket.id, { body: 'once', clientMessageId: 'k-1' });
    const again = await f.uc.postMessage(customer, ticket.id, { body: 'once', clientMessageId: 'k-1' });
    expect(again.created).toBe(false);
    expect(again.message).toEqual(first.message);
    await expect(
      f.uc.postMessage(agent, ticket.id, { body: 'x', clientMessageId: 'k-1' }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await f.uc.findTicket(ticket.id))?.lastSeq).toBe(first.message.seq);
  });

  it('a clientMessageId another transaction is committing is answered once it commits, without a second message', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const seqBefore = (await f.uc.findTicket(ticket.id))?.lastSeq;
    // Another writer's transaction holds the same clientMessageId, not yet committed.
    const other = new pg.Client({ connectionString: f.database.url });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(
        `insert into messages (ticket_id, seq, kind, author_id, body, client_message_id)
         values ($1, 1000, 'customer', $2, 'raced', 'k-race')`,
        [ticket.id, customer.id],
      );
      const posting = f.uc.postMessage(customer, ticket.id, { body: 'raced', clientMessageId: 'k-race' });
      // The post waits for that transaction (its insert holds the ticket against the post's lock).
      for (let i = 0; i < 100; i++) {
        const waiting = await f.client.db.$client.query(
          `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
        );
        if (waiting.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.query('commit');
      const raced = await posting;
      expect(raced.created).toBe(false);
      expect(raced.message).toMatchObject({ seq: 1000, body: 'raced', clientMessageId: 'k-race' });
    } finally {
      await other.end();
    }
    expect((await f.uc.findTicket(ticket.id))?.lastSeq).toBe(seqBefore);
  });

  it('files are stored with the message, and its event carries them', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const withFile = await f.uc.postMessage(
      customer,
      ticket.id,
      { body: 'photo' },
      { via: 'bot', attachments: [{ kind: 'photo', telegramFileId: 'f-1', width: 10, height: 10 }] },
    );
    expect(withFile.message.attachments).toHaveLength(1);
    const event = await storedEventOf(withFile.message);
    expect(event.type === 'message.created' && event.data.message).toEqual(withFile.message);
    const listed = await f.uc.listMessages(customer, ticket.id, { after: String(withFile.message.seq - 1) });
    expect(listed[0]).toEqual(withFile.message);
  });

  it('an author renamed since their last message is written with the new name', async () => {
    const customer = await makeUser(f.uc, 'customer', 'Old');
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const before = await f.uc.postMessage(customer, ticket.id, { body: 'one' });
    expect(before.message.author?.name).toBe('Old');
    await f.uc.upsertUser({ id: customer.id, first_name: 'New', last_name: 'Name' });
    const renamed = await f.uc.postMessage(customer, ticket.id, { body: 'two' });
    expect(renamed.message.author?.name).toBe('New Name');
    const event = await storedEventOf(renamed.message);
    expect(event.type === 'message.created' && event.data.message.author?.name).toBe('New Name');
  });

  it('links the Telegram message it came from', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const posted = await f.uc.postMessage(
      customer,
      ticket.id,
      { body: 'from the bot' },
      { via: 'bot', telegram: { chatId: customer.id, telegramMessageId: 4242 } },
    );
    expect(await f.uc.findTelegramLink(customer.id, 4242)).toMatchObject({
      ticketId: ticket.id,
      messageId: posted.message.id,
    });
  });
});
