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
import { isoSql } from '../use-cases/message-event-sql';
import { type DbFixture, makeUser, setupDb } from './helpers';

let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('post_message_fast', 10);
});
afterAll(async () => {
  await f.close();
});

/** What postMessage said to Postgres: statement names (the one-statement path) and BEGINs (the full path). */
function traceStatements() {
  const seen: string[] = [];
  const original = pg.Client.prototype.query;
  const spy = jest.spyOn(pg.Client.prototype, 'query').mockImplementation(function (
    this: pg.Client,
    ...args: unknown[]
  ) {
    const first = args[0] as string | { name?: string; text?: string };
    const label = typeof first === 'string' ? first : (first.name ?? first.text ?? '');
    if (label === 'begin' || label.startsWith('tt_post_message_')) seen.push(label);
    return (original as (...a: unknown[]) => unknown).apply(this, args) as never;
  });
  return {
    seen,
    fast: () => seen.some((s) => s.startsWith('tt_post_message_')) && !seen.includes('begin'),
    full: () => seen.includes('begin'),
    stop: () => spy.mockRestore(),
  };
}

async function traced<T>(run: () => Promise<T>) {
  const trace = traceStatements();
  try {
    const result = await run();
    return { result, fast: trace.fast(), full: trace.full(), seen: trace.seen };
  } finally {
    trace.stop();
  }
}

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

const generated = (m: Message) => ({ ...m, id: 0, ticketId: 0, seq: 0, createdAt: '' });

describe('postMessage in one statement', () => {
  it('writes what the full transaction writes, for replies and notes', async () => {
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
      const fast = await traced(() => f.uc.postMessage(actor, a.id, input));
      const slow = await traced(() => f.uc.transaction((t) => t.postMessage(actor, b.id, input)));
      expect(fast.fast).toBe(true);
      expect(slow.full).toBe(true);
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

describe('what one statement cannot do falls back to the full transaction', () => {
  it('a missing ticket or someone else’s is not found', async () => {
    const customer = await makeUser(f.uc);
    const other = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const seqBefore = (await f.uc.findTicket(ticket.id))?.lastSeq;
    const missing = await traced(() =>
      f.uc.postMessage(customer, 99_999_999, { body: 'hi' }).catch((e) => e),
    );
    expect(missing.result).toBeInstanceOf(NotFoundError);
    expect(missing.full).toBe(true);
    const foreign = await traced(() => f.uc.postMessage(other, ticket.id, { body: 'hi' }).catch((e) => e));
    expect(foreign.result).toBeInstanceOf(NotFoundError);
    expect(foreign.full).toBe(true);
    expect((await f.uc.findTicket(ticket.id))?.lastSeq).toBe(seqBefore);
  });

  it('a customer’s internal note is forbidden', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const note = await traced(() =>
      f.uc.postMessage(customer, ticket.id, { body: 'psst', internal: true }).catch((e) => e),
    );
    expect(note.result).toBeInstanceOf(ForbiddenError);
  });

  it('a closed ticket refuses the customer', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const now = await f.uc.findTicket(ticket.id);
    await f.uc.updateTicket(agent, ticket.id, { status: 'closed', version: now?.version ?? 0 });
    const late = await traced(() =>
      f.uc.postMessage(customer, ticket.id, { body: 'hello?' }).catch((e) => e),
    );
    expect(late.result).toBeInstanceOf(ConflictError);
    expect((late.result as ConflictError).code).toBe('invalid_transition');
    expect(late.full).toBe(true);
  });

  it('a message that moves the ticket takes the full path: the first agent reply, a customer on pending', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const { ticket } = await f.uc.createTicket(customer, { subject: 'New one', body: 'hi' });
    const first = await traced(() => f.uc.postMessage(agent, ticket.id, { body: 'hello' }));
    expect(first.full).toBe(true);
    expect(first.result.ticket.status).toBe('open');
    const pending = await f.uc.updateTicket(agent, ticket.id, {
      status: 'pending',
      version: first.result.ticket.version,
    });
    const back = await traced(() => f.uc.postMessage(customer, ticket.id, { body: 'any news?' }));
    expect(back.full).toBe(true);
    expect(back.result.ticket.status).toBe('open');
    expect(back.result.ticket.version).toBe(pending.version + 1);
    const events = await f.uc.readEvents(ticket.id, 0);
    expect(events.map((e) => e.type).slice(-2)).toEqual(['message.created', 'ticket.updated']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // On the now open ticket the next reply is one statement again.
    const next = await traced(() => f.uc.postMessage(customer, ticket.id, { body: 'thanks' }));
    expect(next.fast).toBe(true);
    expect(next.result.message.seq).toBe(events.length + 1);
  });

  it('a clientMessageId seen before answers with the first message, or a conflict for another author', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const first = await traced(() =>
      f.uc.postMessage(customer, ticket.id, { body: 'once', clientMessageId: 'k-1' }),
    );
    expect(first.fast).toBe(true);
    const again = await traced(() =>
      f.uc.postMessage(customer, ticket.id, { body: 'once', clientMessageId: 'k-1' }),
    );
    expect(again.full).toBe(true);
    expect(again.result.created).toBe(false);
    expect(again.result.message).toEqual(first.result.message);
    await expect(
      f.uc.postMessage(agent, ticket.id, { body: 'x', clientMessageId: 'k-1' }),
    ).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await f.uc.findTicket(ticket.id))?.lastSeq).toBe(first.result.message.seq);
  });

  it('a clientMessageId committed by someone else meanwhile (unique violation) is answered by the full path', async () => {
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
      const posting = traced(() =>
        f.uc.postMessage(customer, ticket.id, { body: 'raced', clientMessageId: 'k-race' }),
      );
      // The statement waits on the unique index for that transaction, then fails and falls back.
      for (let i = 0; i < 100; i++) {
        const waiting = await f.client.pool.query(
          `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'with t as%'`,
        );
        if (waiting.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await other.query('commit');
      const raced = await posting;
      expect(raced.seen.filter((s) => s.startsWith('tt_post_message_'))).toHaveLength(1);
      expect(raced.full).toBe(true);
      expect(raced.result.created).toBe(false);
      expect(raced.result.message).toMatchObject({ seq: 1000, body: 'raced', clientMessageId: 'k-race' });
    } finally {
      await other.end();
    }
    // The failed statement took no seq.
    expect((await f.uc.findTicket(ticket.id))?.lastSeq).toBe(seqBefore);
  });

  it('files go through the full transaction', async () => {
    const customer = await makeUser(f.uc);
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const withFile = await traced(() =>
      f.uc.postMessage(
        customer,
        ticket.id,
        { body: 'photo' },
        { via: 'bot', attachments: [{ kind: 'photo', telegramFileId: 'f-1', width: 10, height: 10 }] },
      ),
    );
    expect(withFile.full).toBe(true);
    expect(withFile.result.message.attachments).toHaveLength(1);
  });

  it('an author renamed since we last saw them is written with the new name', async () => {
    const customer = await makeUser(f.uc, 'customer', 'Old');
    const agent = await makeUser(f.uc, 'agent');
    const ticket = await openTicket(customer, agent);
    const before = await traced(() => f.uc.postMessage(customer, ticket.id, { body: 'one' }));
    expect(before.fast).toBe(true);
    expect(before.result.message.author?.name).toBe('Old');
    await f.uc.upsertUser({ id: customer.id, first_name: 'New', last_name: 'Name' });
    const renamed = await traced(() => f.uc.postMessage(customer, ticket.id, { body: 'two' }));
    expect(renamed.full).toBe(true);
    expect(renamed.result.message.author?.name).toBe('New Name');
    const event = await storedEventOf(renamed.result.message);
    expect(event.type === 'message.created' && event.data.message.author?.name).toBe('New Name');
    const after = await traced(() => f.uc.postMessage(customer, ticket.id, { body: 'three' }));
    expect(after.fast).toBe(true);
    expect(after.result.message.author?.name).toBe('New Name');
  });
});
