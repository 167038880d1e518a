import { makeContactUpdate, makeTextUpdate, waitFor } from '@tikethet/testkit';
import {
  type Harness,
  lastSent,
  makeAgent,
  newUserId,
  startHarness,
  textOf,
  withContactStep,
} from './helpers/harness';

/**
 * Issue 19 in Telegram: the phone a customer shares (only their own contact is verified; anyone else's is a
 * plain message), an agent's request for it, and merges (a reply to the merged ticket's old messages lands in
 * the survivor).
 */
describe('bot: customers and merges', () => {
  let h: Harness;
  const agentsChat = -1001234567000;

  beforeAll(async () => {
    h = await startHarness('webhook', { AGENTS_CHAT_ID: String(agentsChat) }, 'customers');
  });
  afterAll(async () => {
    await h.close();
  });

  const phoneOf = async (id: number) =>
    (
      await h.query<{ phone: string | null; phone_verified: boolean }>(
        'select phone, phone_verified from users where id = $1',
        [id],
      )
    )[0];
  const ticketsOf = (customer: number) =>
    h.query<{ id: number }>('select id from tickets where customer_id = $1 order by id', [customer]);
  /** The customer's tickets once the bot has opened the first. */
  const ticketsOnceThere = (customer: number) =>
    waitFor(async () => {
      const rows = await ticketsOf(customer);
      return rows.length > 0 ? rows : undefined;
    });
  const bodiesOf = async (ticketId: number) =>
    (
      await h.query<{ body: string }>('select body from messages where ticket_id = $1 order by seq', [
        ticketId,
      ])
    ).map((r) => r.body);

  it('an agent asks for the phone; the customer’s own contact is stored as verified and the keyboard removed', async () => {
    const customer = newUserId();
    const from = { id: customer, first_name: 'Olga', language_code: 'en' };
    await h.send(makeTextUpdate({ from, text: 'My order is late' }));
    const [ticket] = await ticketsOnceThere(customer);
    const agent = await makeAgent(h);
    await h.uc.requestContact({ id: agent, role: 'agent' }, ticket?.id ?? 0);
    const ask = await lastSent(h, customer, (m) => textOf(m).startsWith('Please share your phone'));
    expect(ask).toBeDefined();
    const [queued] = await h.query<{ markup: unknown }>(
      `select payload->'reply_markup' as markup from telegram_outbox where dedupe_key like $1`,
      [`contact:${ticket?.id}:%`],
    );
    expect(queued?.markup).toEqual({
      keyboard: [[{ text: '📱 Share my number', request_contact: true }]],
      one_time_keyboard: true,
      resize_keyboard: true,
    });

    await h.send(
      makeContactUpdate({
        from,
        contact: { phone_number: '+44 7700 900123', first_name: 'Olga', user_id: customer },
      }),
    );
    expect(
      await waitFor(async () => ((await phoneOf(customer))?.phone_verified ? phoneOf(customer) : undefined)),
    ).toEqual({
      phone: '447700900123',
      phone_verified: true,
    });
    await lastSent(h, customer, (m) => textOf(m) === 'Thank you, your number is saved.');
    const [thanks] = await h.query<{ markup: unknown }>(
      `select payload->'reply_markup' as markup from telegram_outbox where chat_id = $1 and payload->>'text' like 'Thank you%'`,
      [customer],
    );
    expect(thanks?.markup).toEqual({ remove_keyboard: true });
    // The contact did not become a message on the ticket.
    expect(await bodiesOf(ticket?.id ?? 0)).toEqual(['My order is late']);
  });

  it('someone else’s contact, a card without a user and a forwarded one are never stored: they are plain messages', async () => {
    const customer = newUserId();
    const friend = newUserId();
    const from = { id: customer, first_name: 'Ivan', language_code: 'ru' };
    await h.send(makeTextUpdate({ from, text: 'Нужна помощь с доставкой' }));
    const [ticket] = await ticketsOnceThere(customer);
    await h.send(
      makeContactUpdate({
        from,
        contact: { phone_number: '79990001111', first_name: 'Friend', user_id: friend },
      }),
    );
    await h.send(makeContactUpdate({ from, contact: { phone_number: '79990002222', first_name: 'Card' } }));
    const forwarded = makeContactUpdate({
      from,
      contact: { phone_number: '79990003333', first_name: 'Ivan', user_id: customer },
    });
    (forwarded.message as unknown as Record<string, unknown>).forward_origin = {
      type: 'user',
      date: 1,
      sender_user: { id: friend, is_bot: false, first_name: 'Friend' },
    };
    await h.send(forwarded);
    const bodies = await waitFor(async () => {
      const all = await bodiesOf(ticket?.id ?? 0);
      return all.length === 4 ? all : undefined;
    });
    expect(bodies).toEqual([
      'Нужна помощь с доставкой',
      '📇 Friend: +79990001111',
      '📇 Card: +79990002222',
      '📇 Ivan: +79990003333',
    ]);
    expect(await phoneOf(customer)).toEqual({ phone: null, phone_verified: false });
    expect(await phoneOf(friend)).toBeUndefined();
  });

  it('after a merge, replies to the merged ticket’s old Telegram messages land in the survivor, from both sides', async () => {
    const customer = newUserId();
    const from = { id: customer, first_name: 'Pavel', language_code: 'en' };
    await h.send(makeTextUpdate({ from, text: 'Cannot log in' }));
    const [dup] = await ticketsOnceThere(customer);
    const dupId = dup?.id ?? 0;
    const confirmation = await lastSent(h, customer, (m) => textOf(m).includes(`#${dupId}`));
    const post = await lastSent(h, agentsChat, (m) => textOf(m).includes(`#${dupId}`));
    const { ticket: survivor } = await h.uc.createTicket(
      { id: customer, role: 'customer' },
      { subject: 'Login broken', body: 'since yesterday' },
    );
    const agent = await makeAgent(h);
    await h.uc.mergeTickets({ id: agent, role: 'agent' }, dupId, survivor.id);
    const notice = await lastSent(h, customer, (m) => textOf(m).includes('is merged into'));
    expect(textOf(notice)).toBe(
      `Request <b>#${dupId}</b> is merged into <b>#${survivor.id}</b>: the conversation goes on there. You can reply to any of its messages.`,
    );

    await h.send(makeTextUpdate({ from, text: 'still cannot', replyTo: confirmation }));
    await h.send(
      makeTextUpdate({
        from: { id: agent, first_name: 'Agent' },
        chat: post.chat,
        text: 'try now',
        replyTo: post,
      }),
    );
    const bodies = await waitFor(async () => {
      const all = await bodiesOf(survivor.id);
      return all.includes('try now') && all.includes('still cannot') ? all : undefined;
    });
    expect(bodies.filter((b) => b === 'Cannot log in')).toHaveLength(1);
    expect(bodies.slice(-2).sort()).toEqual(['still cannot', 'try now']);
    expect(await ticketsOf(customer)).toEqual([{ id: dupId }, { id: survivor.id }]);
    expect(await bodiesOf(dupId)).toEqual([]);
    // The agent's answer reached the customer's chat, once.
    const answers = await waitFor(async () => {
      const got = h.api.sentMessages(customer).filter((m) => textOf(m).includes('try now'));
      return got.length > 0 ? got : undefined;
    });
    expect(answers).toHaveLength(1);
  });

  it('with the admins’ contact step on, the first message waits for the customer’s own phone, then becomes the ticket', async () => {
    await withContactStep(h, async () => {
      const customer = newUserId();
      const friend = newUserId();
      const from = { id: customer, first_name: 'Lena', language_code: 'en' };
      const first = makeTextUpdate({ from, text: 'Refund for order 77' });
      await h.send(first);
      await lastSent(h, customer, (m) => textOf(m).startsWith('Please share your phone'));
      expect(await ticketsOf(customer)).toEqual([]);
      // Someone else's contact does not pass the step, nor replace the message held.
      await h.send(
        makeContactUpdate({
          from,
          contact: { phone_number: '79990004444', first_name: 'Friend', user_id: friend },
        }),
      );
      expect(await ticketsOf(customer)).toEqual([]);
      expect(await phoneOf(customer)).toEqual({ phone: null, phone_verified: false });

      await h.send(
        makeContactUpdate({
          from,
          contact: { phone_number: '79990005555', first_name: 'Lena', user_id: customer },
        }),
      );
      const [ticket] = await ticketsOnceThere(customer);
      expect(await bodiesOf(ticket?.id ?? 0)).toEqual(['Refund for order 77']);
      expect(await phoneOf(customer)).toEqual({ phone: '79990005555', phone_verified: true });
      const confirmation = await lastSent(h, customer, (m) => textOf(m).includes(`#${ticket?.id}`));
      expect(confirmation.reply_to_message?.message_id).toBe(first.message?.message_id);
      // A reply to the held message now lands on its ticket; later messages need no step.
      await h.send(makeTextUpdate({ from, text: 'It was paid by card', replyTo: first.message }));
      await waitFor(async () => ((await bodiesOf(ticket?.id ?? 0)).length === 2 ? true : undefined));
    });
  });
});
