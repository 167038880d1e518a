import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Message, TicketEvent } from '@tikethet/domain';
import {
  makeEditedMessageUpdate,
  makeTextUpdate,
  type TgMessage,
  type TgUpdate,
  waitFor,
} from '@tikethet/testkit';
import { createBot } from '../create-bot';
import { type Harness, newUserId, SECRET, startHarness } from './helpers/harness';

/** Plain customer texts are written in batches (one transaction per batch); these tests pin what that writes. */
describe('webhook: plain customer texts in batches', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('webhook', {}, 'batch');
  });
  afterAll(async () => {
    await h.close();
  });

  let nextUpdateId = 5_000_000;
  const text = (from: number, body: string, extra: Partial<TgUpdate> = {}): TgUpdate => ({
    ...makeTextUpdate({ from: { id: from, first_name: `C${from}` }, text: body }),
    update_id: nextUpdateId++,
    ...extra,
  });
  const post = (update: TgUpdate) =>
    fetch(`${h.baseUrl}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(update),
    }).then((r) => r.status);
  const metric = async (name: string) => {
    const body = await (await fetch(`${h.baseUrl}/metrics`)).text();
    const line = body.split('\n').find((l) => l.startsWith(`${name} `));
    return Number(line?.split(' ')[1] ?? Number.NaN);
  };
  /** A customer (in the batcher's lane for even ids) with one ticket made by a first message. */
  const customerWithTicket = async () => {
    let id = newUserId();
    while (id % 2 !== 0) id = newUserId();
    await h.send(text(id, `First problem of ${id}`));
    const [row] = await h.query<{ id: number }>('select id from tickets where customer_id = $1', [id]);
    return { id, ticketId: row?.id ?? 0 };
  };
  const eventsOf = (ticketId: number) =>
    h.query<{ seq: number; type: string; data: { message?: Message } }>(
      'select seq, type, data from events where ticket_id = $1 order by seq',
      [ticketId],
    );

  /**
   * Holds the lane's running batch on a row lock of `blocker`'s ticket, lets `updates` queue behind it
   * (all of them, as the waiting gauge shows), then releases: they are written as one batch.
   */
  async function inOneBatch(blocker: { id: number; ticketId: number }, updates: TgUpdate[]) {
    const lock = await h.db.db.$client.connect();
    try {
      await lock.query('begin');
      await lock.query('select 1 from tickets where id = $1 for update', [blocker.ticketId]);
      const first = post(text(blocker.id, 'holding the lane'));
      await waitFor(
        async () =>
          (
            await h.query<{ n: number }>(
              "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
            )
          )[0]?.n === 1,
        { description: 'the running batch waits on the held row lock' },
      );
      const rest = updates.map(post);
      await waitFor(async () => (await metric('bot_inbound_waiting')) === updates.length, {
        description: 'all texts waiting behind the held batch',
      });
      await lock.query('commit');
      return [await first, ...(await Promise.all(rest))];
    } finally {
      lock.release();
    }
  }

  it('writes a burst of texts as one batch, exactly as the one-update path would', async () => {
    const blocker = await customerWithTicket();
    const customers = await Promise.all(Array.from({ length: 6 }, customerWithTicket));
    const batchesBefore = await metric('bot_inbound_batches_total');
    const batchedBefore = await metric('bot_inbound_batched_total');
    const updates = customers.flatMap((c) => [
      text(c.id, `Batched one from ${c.id} zebrafinch${c.id}`),
      text(c.id, `Batched two from ${c.id}`),
    ]);
    const statuses = await inOneBatch(blocker, updates);
    expect(new Set(statuses)).toEqual(new Set([200]));
    // The blocker's batch, then one batch for all 12 texts.
    expect((await metric('bot_inbound_batches_total')) - batchesBefore).toBe(2);
    expect((await metric('bot_inbound_batched_total')) - batchedBefore).toBe(13);

    const agent = { id: newUserId(), role: 'agent' as const };
    for (const c of customers) {
      const events = await eventsOf(c.ticketId);
      // created event + first message, then the two batched texts in order, seqs gap-free.
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const batched = events.slice(-2);
      expect(batched.map((e) => e.type)).toEqual(['message.created', 'message.created']);
      expect(batched.map((e) => e.data.message?.body)).toEqual([
        `Batched one from ${c.id} zebrafinch${c.id}`,
        `Batched two from ${c.id}`,
      ]);
      // The event carries the message exactly as the API lists it (author, via, delivery, times, files).
      const listed = await h.uc.listMessages({ id: c.id, role: 'customer' }, c.ticketId);
      for (const e of batched) {
        expect(e.data.message).toEqual(listed.find((m) => m.seq === e.seq));
        expect(e.data.message).toMatchObject({
          kind: 'customer',
          via: 'bot',
          delivery: 'none',
          authorId: c.id,
        });
      }
      const ticket = await h.uc.getTicket({ id: c.id, role: 'customer' }, c.ticketId);
      expect(ticket).toMatchObject({
        status: 'new',
        version: 1,
        lastSeq: events.length,
        lastMessagePreview: `Batched two from ${c.id}`,
      });
      // The ticket's search vector has the batched words.
      const found = await h.uc.listTickets(agent, { q: `zebrafinch${c.id}` });
      expect(found.items.map((t) => t.id)).toEqual([c.ticketId]);
    }
    // The Telegram links work as the one-update path's do: an edit of a batched text edits its message
    // (the first text kept), a reply to it lands on its ticket.
    const c0 = customers[0] as { id: number; ticketId: number };
    const first = updates[0]?.message as TgMessage;
    await h.send(
      makeEditedMessageUpdate({ original: first, text: 'Batched one, edited', updateId: nextUpdateId++ }),
    );
    expect(
      await h.query('select body, original_body from messages where ticket_id = $1 and body like $2', [
        c0.ticketId,
        'Batched one%',
      ]),
    ).toEqual([{ body: 'Batched one, edited', original_body: first.text }]);
    // A newer ticket (via /new) is now the latest open one: only the reply mapping leads back to the first.
    await h.send(text(c0.id, '/new'));
    await h.send(text(c0.id, 'A second problem'));
    expect(await h.query('select count(*)::int as n from tickets where customer_id = $1', [c0.id])).toEqual([
      { n: 2 },
    ]);
    await h.send(
      text(c0.id, 'Answering my batched text', {
        message: {
          ...(text(c0.id, 'Answering my batched text').message as TgMessage),
          reply_to_message: first,
        },
      }),
    );
    const [answered] = await h.query<{ ticket_id: number }>(
      'select ticket_id from messages where body = $1',
      ['Answering my batched text'],
    );
    expect(answered?.ticket_id).toBe(c0.ticketId);
  });

  it('leaves to the one-update path what it cannot write: new tickets, /new, reopening, duplicates', async () => {
    const blocker = await customerWithTicket();
    const plain = await customerWithTicket();
    const reopen = await customerWithTicket();
    const asksNew = await customerWithTicket();
    let fresh = newUserId();
    while (fresh % 2 !== 0) fresh = newUserId();
    const admin = newUserId();
    await h.uc.upsertUser({ id: admin, first_name: 'Admin' }, { adminIds: [admin] });
    const resolved = await h.uc.updateTicket({ id: admin, role: 'admin' }, reopen.ticketId, {
      status: 'resolved',
      version: 1,
    });
    expect(resolved.status).toBe('resolved');
    await h.send(text(asksNew.id, '/new'));

    const duplicate = text(plain.id, 'Only once, please');
    const statuses = await inOneBatch(blocker, [
      duplicate,
      text(reopen.id, 'It broke again'),
      text(asksNew.id, 'A second problem'),
      text(fresh, 'Hello, I am new here'),
      duplicate,
      duplicate,
    ]);
    expect(new Set(statuses)).toEqual(new Set([200]));

    expect(
      await h.query('select count(*)::int as n from messages where author_id = $1 and body = $2', [
        plain.id,
        'Only once, please',
      ]),
    ).toEqual([{ n: 1 }]);
    const reopened = await h.uc.findTicket(reopen.ticketId);
    expect(reopened?.status).toBe('open');
    const reopenEvents = await eventsOf(reopen.ticketId);
    expect(reopenEvents.slice(-2).map((e) => e.type)).toEqual(['message.created', 'ticket.updated']);
    expect(
      await h.query('select count(*)::int as n from tickets where customer_id = $1', [asksNew.id]),
    ).toEqual([{ n: 2 }]);
    expect(await h.query('select subject from tickets where customer_id = $1', [fresh])).toEqual([
      { subject: 'Hello, I am new here' },
    ]);
    // The new ticket is confirmed in the customer's chat, as on the one-update path.
    await waitFor(() => h.api.sentMessages(fresh).length === 1, { description: 'confirmation sent' });
  });

  it('a batch that fails goes one by one: only the update failing transiently answers 5xx, and its retry lands', async () => {
    const blocker = await customerWithTicket();
    const others = await Promise.all(Array.from({ length: 4 }, customerWithTicket));
    const victim = await customerWithTicket();
    await h.query(`
      create or replace function tt_test_refuse_boom() returns trigger language plpgsql as $$
      begin
        -- A serialization failure: transient, so retried (any other error would make it a dead letter).
        if new.body = 'boom' then raise exception 'refused by test trigger' using errcode = '40001'; end if;
        return new;
      end $$`);
    await h.query(
      'create trigger tt_test_refuse_boom before insert on messages for each row execute function tt_test_refuse_boom()',
    );
    const boom = text(victim.id, 'boom');
    let statuses: number[];
    try {
      statuses = await inOneBatch(blocker, [...others.map((c) => text(c.id, `fine from ${c.id}`)), boom]);
    } finally {
      await h.query('drop trigger tt_test_refuse_boom on messages');
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses[5]).toBeGreaterThanOrEqual(500);
    for (const c of others) {
      expect(
        await h.query('select count(*)::int as n from messages where author_id = $1 and body = $2', [
          c.id,
          `fine from ${c.id}`,
        ]),
      ).toEqual([{ n: 1 }]);
    }
    expect(
      await h.query('select count(*)::int as n from telegram_updates where update_id = $1', [boom.update_id]),
    ).toEqual([{ n: 0 }]);
    expect(await post(boom)).toBe(200);
    const events = await eventsOf(victim.ticketId);
    expect(events.filter((e) => e.data.message?.body === 'boom')).toHaveLength(1);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it('publishes each batched message on the bus after the commit', async () => {
    const c = await customerWithTicket();
    const seen: TicketEvent[] = [];
    const off = h.bus.subscribe((m) => {
      if (m.kind === 'event' && m.event.ticketId === c.ticketId) seen.push(m.event);
    });
    try {
      expect(await post(text(c.id, 'On the bus'))).toBe(200);
      const bodyOf = (e: TicketEvent) => (e.data as { message?: Message }).message?.body;
      const event = await waitFor(() => seen.find((e) => bodyOf(e) === 'On the bus'));
      expect(event).toMatchObject({ type: 'message.created', ticketId: c.ticketId, internal: false });
      // The event on the bus is the committed one: the same id and seq as in the log.
      const [stored] = await h.query<{ id: number; seq: number }>(
        'select id, seq from events where ticket_id = $1 order by seq desc limit 1',
        [c.ticketId],
      );
      expect({ id: event.id, seq: event.seq }).toEqual(stored);
    } finally {
      off();
    }
  });

  it('a stopping bot writes the texts it accepted before it lets the database go', async () => {
    const blocker = await customerWithTicket();
    const other = await customerWithTicket();
    const bot = createBot({ env: h.env, db: h.db, bus: h.bus });
    await bot.start();
    const server = http.createServer((req, res) => void bot.httpHandler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram/webhook`;
    const postTo = (update: TgUpdate) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      }).then((r) => r.status);
    const lock = await h.db.db.$client.connect();
    try {
      await lock.query('begin');
      await lock.query('select 1 from tickets where id = $1 for update', [blocker.ticketId]);
      const answers = [
        postTo(text(blocker.id, 'accepted before stop')),
        postTo(text(other.id, 'queued before stop')),
      ];
      await waitFor(async () => {
        const [row] = await h.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
        );
        return row?.n === 1;
      });
      let stopped = false;
      const stopping = bot.stop().then(() => {
        stopped = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(stopped).toBe(false);
      await lock.query('commit');
      await stopping;
      expect(await Promise.all(answers)).toEqual([200, 200]);
      expect(
        await h.query('select body from messages where body like $1 order by body', ['% before stop']),
      ).toEqual([{ body: 'accepted before stop' }, { body: 'queued before stop' }]);
    } finally {
      lock.release();
      server.close();
      await bot.stop();
    }
  });
});
