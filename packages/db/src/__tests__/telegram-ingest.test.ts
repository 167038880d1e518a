import type { TicketEvent } from '@tikethet/domain';
import { sql } from 'drizzle-orm';
import type { IngestTextItem } from '../use-cases/telegram-ingest';
import { type DbFixture, makeUser, setupDb } from './helpers';

/**
 * The bot's batch write (`ingestCustomerTexts`) at the db level: what it stores and publishes, text by text,
 * for the cases the statement's SQL decides itself (seq numbering, claimed update_ids, arrays of awkward text).
 */
let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('telegram_ingest');
});
afterAll(async () => {
  await f.close();
});

let lastUpdateId = 70_000;
function text(customerId: number, body: string, claimedId?: number): IngestTextItem {
  lastUpdateId += 1;
  const updateId = claimedId ?? lastUpdateId;
  return {
    updateId,
    profile: { id: customerId, first_name: 'Ann "the \\ first"', last_name: "O'Neil", language_code: 'en' },
    chatId: customerId,
    telegramMessageId: updateId,
    body,
    pendingKey: `bot:new:${customerId}`,
  };
}

async function customerWithTicket() {
  const customer = await makeUser(f.uc);
  const { ticket } = await f.uc.createTicket(customer, { subject: 'First', body: 'first' });
  return { customer, ticketId: ticket.id };
}

async function rows<T>(statement: ReturnType<typeof sql>): Promise<T[]> {
  return (await f.client.db.execute(statement)).rows as T[];
}

function publishedEvents(): TicketEvent[] {
  return f.bus.published.flatMap((m) => (m.kind === 'event' ? [m.event] : []));
}

describe('ingestCustomerTexts', () => {
  it('numbers a customer’s texts after the ticket’s last seq, skipping an update_id claimed before', async () => {
    const { customer, ticketId } = await customerWithTicket();
    const lastSeq = async () =>
      (
        await rows<{ last_seq: number; preview: string }>(
          sql`select last_seq, last_message_preview as preview from tickets where id = ${ticketId}`,
        )
      )[0];
    const base = (await lastSeq())?.last_seq ?? Number.NaN;
    await f.uc.transaction(async (tx) => tx.claimTelegramUpdate(90_001));

    const outcomes = await f.uc.ingestCustomerTexts([
      text(customer.id, 'one'),
      text(customer.id, 'claimed already', 90_001),
      text(customer.id, 'two'),
      text(customer.id, 'three\nwith a second line'),
    ]);

    expect(outcomes).toEqual(['processed', 'duplicate', 'processed', 'processed']);
    const stored = await rows<{ seq: number; body: string }>(
      sql`select seq, body from messages where ticket_id = ${ticketId} order by seq`,
    );
    expect(stored.slice(-3)).toEqual([
      { seq: base + 1, body: 'one' },
      { seq: base + 2, body: 'two' },
      { seq: base + 3, body: 'three\nwith a second line' },
    ]);
    expect(await lastSeq()).toEqual({ last_seq: base + 3, preview: 'three with a second line' });
    const links = await rows<{ telegram_message_id: number }>(
      sql`select telegram_message_id from telegram_messages where ticket_id = ${ticketId} order by 1`,
    );
    expect(links.map((l) => l.telegram_message_id)).not.toContain(90_001);
    expect(links).toHaveLength(3);
  });

  it('reopens a resolved ticket in the batch: the text, then its ticket.updated, in seq order', async () => {
    const { customer, ticketId } = await customerWithTicket();
    const agent = await makeUser(f.uc, 'agent');
    const replied = await f.uc.postMessage(agent, ticketId, { body: 'fixed?' });
    const resolved = await f.uc.updateTicket(agent, ticketId, {
      status: 'resolved',
      version: replied.ticket.version,
    });
    await f.uc.flush();
    f.bus.published.length = 0;

    const outcomes = await f.uc.ingestCustomerTexts([
      text(customer.id, 'not yet'),
      text(customer.id, 'still'),
    ]);
    await f.uc.flush();

    expect(outcomes).toEqual(['processed', 'processed']);
    const ticket = await f.uc.findTicket(ticketId);
    expect(ticket).toMatchObject({ status: 'open', version: resolved.version + 1, resolvedAt: null });
    expect(ticket?.lastSeq).toBe(resolved.lastSeq + 3);
    const events = await f.uc.readEvents(ticketId, resolved.lastSeq);
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [resolved.lastSeq + 1, 'message.created'],
      [resolved.lastSeq + 2, 'ticket.updated'],
      [resolved.lastSeq + 3, 'message.created'],
    ]);
    expect(publishedEvents()).toEqual(events);
  });

  it('stores quotes, backslashes, braces, NULL-looking and non-Latin text as sent, in the message and its event', async () => {
    const { customer, ticketId } = await customerWithTicket();
    const awkward = [
      'He said "hi" \\ and left',
      '{a,b} NULL "NULL" \\"',
      'Привет 👋 <b>&amp;</b> *bold* _it_',
    ];
    await f.uc.flush();
    f.bus.published.length = 0;

    const outcomes = await f.uc.ingestCustomerTexts(awkward.map((body) => text(customer.id, body)));
    await f.uc.flush();

    expect(outcomes).toEqual(['processed', 'processed', 'processed']);
    const stored = await rows<{ body: string; data: { message: { body: string } } }>(
      sql`select m.body, e.data from messages m join events e on e.ticket_id = m.ticket_id and e.seq = m.seq
          where m.ticket_id = ${ticketId} and m.body <> 'first' order by m.seq`,
    );
    expect(stored.map((r) => r.body)).toEqual(awkward);
    expect(stored.map((r) => r.data.message.body)).toEqual(awkward);
    const author = await rows<{ first_name: string; last_name: string }>(
      sql`select first_name, last_name from users where id = ${customer.id}`,
    );
    expect(author).toEqual([{ first_name: 'Ann "the \\ first"', last_name: "O'Neil" }]);
    expect(publishedEvents().map((e) => (e.data as { message: { body: string } }).message.body)).toEqual(
      awkward,
    );
  });

  it('publishes each event exactly as it is stored, and its message as the message list reads it', async () => {
    const { customer, ticketId } = await customerWithTicket();
    await f.uc.flush();
    f.bus.published.length = 0;

    await f.uc.ingestCustomerTexts([text(customer.id, 'alpha'), text(customer.id, 'beta')]);
    await f.uc.flush();

    const published = publishedEvents();
    expect(published.map((e) => e.type)).toEqual(['message.created', 'message.created']);
    const replay = await f.uc.readEvents(ticketId, (published[0]?.seq ?? 1) - 1);
    expect(replay).toEqual(published);
    const listed = await f.uc.listMessages(customer, ticketId, {});
    const byId = new Map(listed.map((m) => [m.id, m]));
    for (const event of published) {
      const message = (event.data as { message: { id: number } }).message;
      expect(message).toEqual(byId.get(message.id));
    }
  });
  it('leaves a text its schema refuses, a profile its schema refuses and that sender’s later texts to the full path', async () => {
    const { customer, ticketId } = await customerWithTicket();
    const other = await customerWithTicket();
    const badProfile = {
      ...text(other.customer.id, 'fine text'),
      // Names are cleaned and cut, never refused (domain text.ts); an over-long photo URL is still refused.
      profile: { id: other.customer.id, first_name: 'x', photo_url: `https://t.me/${'x'.repeat(3000)}` },
    };

    const outcomes = await f.uc.ingestCustomerTexts([
      text(customer.id, '   '),
      text(customer.id, 'after a refused text'),
      badProfile,
      text(other.customer.id, 'after a refused profile'),
    ]);

    expect(outcomes).toEqual(['fallback', 'fallback', 'fallback', 'fallback']);
    const stored = await rows<{ body: string }>(
      sql`select body from messages where ticket_id in (${ticketId}, ${other.ticketId}) and body <> 'first'`,
    );
    expect(stored).toEqual([]);
  });
});
