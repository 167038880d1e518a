import type { TicketListItem } from '@tikethet/domain';
import { sql } from 'drizzle-orm';
import { runTransaction } from '../client';
import { listTickets } from '../use-cases/read-tickets';
import { type DbFixture, makeUser, newTelegramId, setupDb } from './helpers';

let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('search');
});
afterAll(async () => {
  await f.close();
});

type Person = { id: number; role: 'customer' | 'agent' | 'admin' };
const ids = (page: { items: Array<{ id: number }> }) => page.items.map((t) => t.id);
const search = async (who: Person, q: string, extra: Record<string, string> = {}) =>
  (await f.uc.listTickets(who, { q, ...extra })) as { items: TicketListItem[]; nextCursor: string | null };

async function customerNamed(firstName: string, lastName: string, username: string): Promise<Person> {
  const id = newTelegramId();
  await f.uc.upsertUser(
    { id, first_name: firstName, last_name: lastName, username, language_code: 'ru' },
    { adminIds: [] },
  );
  return { id, role: 'customer' };
}

let agent: Person;
let maria: Person;
let other: Person;
let payment: number;
let refund: number;
let othersTicket: number;
let paymentMessage: number;
let note: number;
beforeAll(async () => {
  agent = await makeUser(f.uc, 'agent');
  maria = await customerNamed('Мария', 'Смирнова', 'maria_smirnova');
  other = await customerNamed('John', 'Brown', 'jbrown');
  const a = await f.uc.createTicket(maria, { subject: 'Вопрос', body: 'Здравствуйте' });
  payment = a.ticket.id;
  paymentMessage = (
    await f.uc.postMessage(maria, payment, { body: 'Не проходит оплата картой, деньги списали дважды' })
  ).message.id;
  note = (
    await f.uc.postMessage(agent, payment, { body: 'Клиент ругается, проверить эквайринг', internal: true })
  ).message.id;
  const b = await f.uc.createTicket(maria, { subject: 'Another one', body: 'Where is my refund?' });
  refund = b.ticket.id;
  const c = await f.uc.createTicket(other, { subject: 'Card', body: 'оплата не проходит, refund please' });
  othersTicket = c.ticket.id;
});

describe('search', () => {
  it('finds Russian and English words in any of their forms', async () => {
    for (const q of ['оплата', 'оплаты', 'оплатить', 'ОПЛАТОЙ']) {
      expect(ids(await search(agent, q))).toEqual(expect.arrayContaining([payment, othersTicket]));
      expect(ids(await search(agent, q))).not.toContain(refund);
    }
    for (const q of ['refunds', 'refunded', 'Refund']) {
      expect(ids(await search(agent, q))).toEqual(expect.arrayContaining([refund, othersTicket]));
    }
    expect(ids(await search(agent, 'списали дважды'))).toEqual([payment]);
    expect(ids(await search(agent, 'эквайринг кошка'))).toEqual([]);
  });

  it('matches the last word as a prefix while it is typed (3 letters or more)', async () => {
    expect(ids(await search(agent, 'опл'))).toEqual(expect.arrayContaining([payment, othersTicket]));
    expect(ids(await search(agent, 'refu'))).toEqual(expect.arrayContaining([refund, othersTicket]));
    expect(ids(await search(agent, 'деньги спис'))).toEqual([payment]);
    // Two letters are too few to mean a prefix: only the word itself.
    expect(ids(await search(agent, 'оп'))).toEqual([]);
  });

  it('finds a ticket by its number, with or without #, first', async () => {
    for (const q of [`#${refund}`, String(refund)]) {
      const page = await search(agent, q);
      expect(ids(page)[0]).toBe(refund);
      expect(page.items[0]?.match).toBeNull();
    }
    expect(ids(await search(maria, `#${refund}`))).toEqual([refund]);
    // Never somebody else's ticket by number.
    expect(ids(await search(other, `#${refund}`))).toEqual([]);
  });

  it('finds customers by name or @username for staff only', async () => {
    for (const q of ['Мария Смирнова', 'смирнова', 'Мари', '@maria_smirnova', 'maria_smi']) {
      expect(ids(await search(agent, q)).sort()).toEqual([payment, refund].sort());
    }
    expect(ids(await search(agent, '@jbrown'))).toEqual([othersTicket]);
    expect(ids(await search(other, 'Мария Смирнова'))).toEqual([]);
    expect(ids(await search(other, '@maria_smirnova'))).toEqual([]);
  });

  it('ranks and shows the matching message as a plain-text snippet', async () => {
    const page = await search(agent, 'списали');
    expect(page.items[0]).toMatchObject({
      id: payment,
      match: { messageId: paymentMessage, snippet: expect.stringContaining('списали дважды') },
      customer: { id: maria.id },
    });
    expect(page.items[0]?.match?.snippet).not.toMatch(/<|>/);
    expect(page.nextCursor).toBeNull();
  });

  it('searches internal notes for staff and never for customers', async () => {
    const staff = await search(agent, 'эквайринг');
    expect(ids(staff)).toEqual([payment]);
    expect(staff.items[0]?.match).toEqual({ messageId: note, snippet: expect.stringContaining('эквайринг') });
    expect(ids(await search(maria, 'эквайринг'))).toEqual([]);
    expect(ids(await search(maria, 'эквай'))).toEqual([]);
    // A word both in a note and in a public message: the customer's match is never the note.
    await f.uc.postMessage(agent, payment, { body: 'эквайринг тоже упомянем публично' });
    const own = await search(maria, 'эквайринг');
    expect(ids(own)).toEqual([payment]);
    expect(own.items[0]?.match?.messageId).not.toBe(note);
  });

  it("never shows a customer another customer's ticket", async () => {
    for (const q of ['оплата', 'refund', 'опл', 'card', `#${othersTicket}`, 'John Brown']) {
      expect(ids(await search(maria, q))).not.toContain(othersTicket);
      expect(ids(await search(other, q))).not.toContain(payment);
      expect(ids(await search(other, q))).not.toContain(refund);
    }
  });

  it("inside a caller's transaction, leaves its planner settings as they were", async () => {
    const after = await runTransaction(f.client.db, async (tx) => {
      expect(ids(await listTickets(tx, agent, { q: 'оплата' }))).toEqual(
        expect.arrayContaining([payment, othersTicket]),
      );
      const r = await tx.execute<{ seq: string; par: string; jit: string }>(
        sql`select current_setting('enable_seqscan') as seq, current_setting('max_parallel_workers_per_gather') as par,
          current_setting('jit') as jit`,
      );
      return r.rows;
    });
    const outside = await f.client.db.$client.query(
      "select current_setting('max_parallel_workers_per_gather') as par, current_setting('jit') as jit",
    );
    expect(after).toEqual([{ seq: 'on', par: outside.rows[0].par, jit: outside.rows[0].jit }]);
  });

  it("keeps the list's filters", async () => {
    expect(ids(await search(agent, 'оплата', { customer: String(other.id) }))).toEqual([othersTicket]);
    expect(ids(await search(agent, 'оплата', { status: 'closed' }))).toEqual([]);
  });

  it('finds a rare word behind ten thousand newer messages, and a common one among them', async () => {
    const quiet = await makeUser(f.uc);
    const chatty = await makeUser(f.uc);
    const old = await f.uc.createTicket(quiet, {
      subject: 'Old',
      body: 'подозрительный ксилофон, обычная переписка, гобой',
    });
    const busy = await f.uc.createTicket(chatty, { subject: 'Busy', body: 'start' });
    await f.client.db.$client.query(
      `insert into messages (ticket_id, seq, kind, author_id, body)
       select $1, 1000 + g, 'customer', $2, 'обычная переписка номер ' || g || case when g % 100 = 0 then ' гобой' else '' end
       from generate_series(1, 10500) g`,
      [busy.ticket.id, chatty.id],
    );
    expect(ids(await search(agent, 'ксилофон'))).toEqual([old.ticket.id]);
    expect(ids(await search(agent, 'ксилоф'))).toEqual([old.ticket.id]);
    // Behind the newest rows a rare word with others: those match whole there (a prefix would cost every
    // entry that starts with it).
    expect(ids(await search(agent, 'ксилофон переписка'))).toEqual([old.ticket.id]);
    expect(ids(await search(agent, 'ксилофон перепис'))).toEqual([]);
    expect(ids(await search(agent, 'переписка'))).toEqual([busy.ticket.id]);
    // A word in 1 of 100 newest messages: the next rows are read too, so the older ticket is there.
    expect(ids(await search(agent, 'гобой')).sort()).toEqual([old.ticket.id, busy.ticket.id].sort());
    // Within one customer's tickets the search reads those, however many newer matches others have.
    expect(ids(await search(agent, 'переписка', { customer: String(quiet.id) }))).toEqual([old.ticket.id]);
    expect(ids(await search(quiet, 'переписка'))).toEqual([old.ticket.id]);
    expect(ids(await search(quiet, 'ксилофон'))).toEqual([old.ticket.id]);
    // Staff's customer filter still finds that customer's notes; the customer never does.
    await f.uc.postMessage(agent, old.ticket.id, { body: 'заметка про балалайку', internal: true });
    expect(ids(await search(agent, 'балалайка', { customer: String(quiet.id) }))).toEqual([old.ticket.id]);
    expect(ids(await search(quiet, 'балалайка'))).toEqual([]);
  });
});
