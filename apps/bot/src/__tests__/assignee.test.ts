import type { TicketEvent } from '@tikethet/domain';
import { makeCallbackUpdate, makeTextUpdate, waitFor } from '@tikethet/testkit';
import { createAssigneeTracker } from '../events/assignees';
import { type EventHandlerDeps, handleEvent } from '../events/handlers';
import {
  type Harness,
  type Keyboard,
  lastSent,
  makeAgent,
  markupOf,
  newUserId,
  PUBLIC_URL,
  startHarness,
  textOf,
} from './helpers/harness';

/** Waits until `count` new-ticket posts of the ticket are sent and recorded (their message ids known). */
function postsSent(h: Harness, ticketId: number, count = 1) {
  return waitFor(
    async () =>
      (
        await h.query(`select 1 from telegram_outbox where dedupe_key like $1 and status = 'sent'`, [
          `created:${ticketId}:%`,
        ])
      ).length === count,
    { description: `${count} post(s) of ticket ${ticketId} recorded as sent` },
  );
}

/**
 * What the bot tells agents about tickets that are theirs, and what the agents' posts show after an
 * assignment outside Telegram: a customer's new message DM'd to the assignee, a ticket assigned by someone
 * else, the post's Take button after a claim in the Mini App.
 */
describe('bot and the assignee', () => {
  let h: Harness;
  let deps: EventHandlerDeps;
  const agentsChat = -1009876543210;

  beforeAll(async () => {
    h = await startHarness('webhook', { AGENTS_CHAT_ID: String(agentsChat) }, 'assignee');
    deps = {
      uc: h.uc,
      runtime: { publicUrl: PUBLIC_URL, webhookUrl: undefined, botUsername: h.api.botInfo.username },
      agentsChatId: agentsChat,
    };
  });
  afterAll(async () => {
    await h.close();
  });

  /** An agent who has a private chat with the bot (they pressed /start). */
  async function agentInTelegram(first: string, language: string) {
    const id = await makeAgent(h, first, language);
    await h.send(
      makeTextUpdate({ from: { id, first_name: first, language_code: language }, text: '/start' }),
    );
    await lastSent(h, id);
    return id;
  }
  async function makeAdmin() {
    const id = newUserId();
    await h.uc.upsertUser({ id, first_name: 'Boss' }, { adminIds: [id] });
    return id;
  }
  /** A customer writes to the bot; their ticket (the newest one). */
  async function customerTicket(customer: number, text: string) {
    await h.send(makeTextUpdate({ from: { id: customer, first_name: 'Ivan', language_code: 'ru' }, text }));
    const [row] = await h.query<{ id: number }>(
      'select id from tickets where customer_id = $1 order by id desc limit 1',
      [customer],
    );
    return row?.id ?? 0;
  }
  async function assign(
    by: { id: number; role: 'agent' | 'admin' },
    ticketId: number,
    assigneeId: number | null,
  ) {
    const current = await h.uc.findTicket(ticketId);
    return h.uc.updateTicket(by, ticketId, { assigneeId, version: current?.version ?? 0 });
  }
  /** The ticket's latest stored event of a type (that matches), as the consumer reads it. */
  async function lastEvent<T extends TicketEvent['type']>(
    ticketId: number,
    type: T,
    matches: (event: Extract<TicketEvent, { type: T }>) => boolean = () => true,
  ) {
    const ofType = (e: TicketEvent): e is Extract<TicketEvent, { type: T }> => e.type === type;
    const event = (await h.uc.readEvents(ticketId, 0)).filter(ofType).filter(matches).at(-1);
    if (!event) throw new Error(`no ${type} on ticket ${ticketId}`);
    return event;
  }
  const messageEvent = (ticketId: number, messageId: number) =>
    lastEvent(ticketId, 'message.created', (e) => e.data.message.id === messageId);
  const ticketUpdate = (ticketId: number) => lastEvent(ticketId, 'ticket.updated');
  const outboxKeys = async (pattern: string) =>
    (
      await h.query<{ dedupe_key: string }>(
        'select dedupe_key from telegram_outbox where dedupe_key like $1 order by id',
        [pattern],
      )
    ).map((r) => r.dedupe_key);
  const newestMessageId = async (ticketId: number) =>
    Number(
      (
        await h.query<{ id: string }>('select max(id) as id from messages where ticket_id = $1', [ticketId])
      )[0]?.id,
    );

  it('a customer’s message on an assigned ticket is DM’d to the assignee once, in their language; not when unassigned, not to its author', async () => {
    const maria = await agentInTelegram('Мария', 'ru');
    const customer = newUserId();
    const id = await customerTicket(customer, 'Не приходит код');
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'ru' }, text: 'Уже час жду' }));
    // Unassigned: nobody to tell (handled here again, so the check does not race the bot's own handling).
    const unassigned = await messageEvent(id, await newestMessageId(id));
    expect(await handleEvent(deps, unassigned)).toBe(0);
    expect(await outboxKeys(`notify:${unassigned.data.message.id}:%`)).toEqual([]);

    await h.uc.claimTicket({ id: maria, role: 'agent' }, id);
    await h.send(
      makeTextUpdate({
        from: { id: customer, first_name: 'Ivan', language_code: 'ru' },
        text: 'Код <так> и не пришёл',
      }),
    );
    const dm = await lastSent(h, maria, (m) => textOf(m).startsWith('💬'));
    expect(textOf(dm)).toBe(`💬 <b>#${id}</b> Не приходит код\nот Ivan\n\nКод &lt;так&gt; и не пришёл`);
    expect(markupOf(dm)?.inline_keyboard).toEqual([
      [{ text: 'Открыть', web_app: { url: `${PUBLIC_URL}/?tgWebAppStartParam=ticket_${id}` } }],
    ]);
    // The same event again (a redelivery, a catch-up after a restart) tells nobody twice.
    const told = await messageEvent(id, await newestMessageId(id));
    expect(await handleEvent(deps, told)).toBe(0);
    expect(await outboxKeys(`notify:${told.data.message.id}:%`)).toEqual([
      `notify:${told.data.message.id}:${maria}`,
    ]);
    expect(h.api.sentMessages(maria).filter((m) => textOf(m).startsWith('💬'))).toHaveLength(1);

    // An agent who opened a ticket of their own in the bot and took it: the words it opened with are theirs,
    // not news to them, even when that event comes again after the claim (a catch-up). Staff write `agent`
    // messages after that, so this first one is the only customer message they ever author.
    const oleg = await agentInTelegram('Oleg', 'en');
    const own = await customerTicket(oleg, 'My own laptop is broken');
    await h.uc.claimTicket({ id: oleg, role: 'agent' }, own);
    const [first] = await h.query<{ id: string }>('select min(id) as id from messages where ticket_id = $1', [
      own,
    ]);
    const opening = await messageEvent(own, Number(first?.id));
    expect(opening.data.message).toMatchObject({ kind: 'customer', authorId: oleg });
    expect(await handleEvent(deps, opening)).toBe(0);
    expect(await outboxKeys(`notify:${opening.data.message.id}:%`)).toEqual([]);
  });

  it('a customer’s message on a ticket the event stream shows unassigned costs no read', async () => {
    let reads = 0;
    const uc = {
      ...h.uc,
      findAssigneeChat: (ticketId: number) => {
        reads += 1;
        return h.uc.findAssigneeChat(ticketId);
      },
    };
    const assignees = createAssigneeTracker();
    const counted: EventHandlerDeps = { ...deps, uc, assignees };
    const customer = newUserId();
    const id = await customerTicket(customer, 'Не открывается чек');
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'ru' }, text: 'Пришлите чек' }));
    // The consumer's tracker has seen the ticket from its creation: no assignee, and no read to learn it.
    for (const event of await h.uc.readEvents(id, 0)) assignees.observe(event);
    expect(await handleEvent(counted, await messageEvent(id, await newestMessageId(id)))).toBe(0);
    expect(reads).toBe(0);
    // Once the stream shows an assignee, the message is worth the read that finds where to tell them.
    const maria = await makeAgent(h, 'Мария', 'ru');
    await h.uc.claimTicket({ id: maria, role: 'agent' }, id);
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'ru' }, text: 'Жду чек' }));
    for (const event of await h.uc.readEvents(id, 0)) assignees.observe(event);
    await handleEvent(counted, await messageEvent(id, await newestMessageId(id)));
    expect(reads).toBe(1);
  });

  it('an agent’s Telegram reply to that DM is posted on the ticket as theirs and reaches the customer', async () => {
    const pavel = await agentInTelegram('Pavel', 'en');
    const customer = newUserId();
    const id = await customerTicket(customer, 'Payment failed');
    await h.uc.claimTicket({ id: pavel, role: 'agent' }, id);
    await h.send(
      makeTextUpdate({ from: { id: customer, first_name: 'Ivan', language_code: 'ru' }, text: 'Any news?' }),
    );
    const dm = await lastSent(h, pavel, (m) => textOf(m).startsWith('💬'));
    expect(textOf(dm)).toBe(`💬 <b>#${id}</b> Payment failed\nfrom Ivan\n\nAny news?`);
    // The DM stands for the ticket once sent (its outbox row carries the ticket).
    await waitFor(
      async () =>
        (
          await h.query('select 1 from telegram_messages where chat_id = $1 and telegram_message_id = $2', [
            pavel,
            dm.message_id,
          ])
        ).length > 0,
      { description: 'the DM linked to its ticket' },
    );
    await h.send(
      makeTextUpdate({
        from: { id: pavel, first_name: 'Pavel', language_code: 'en' },
        text: 'Refunded',
        replyTo: dm,
      }),
    );
    const posted = await h.query<{ kind: string; ticket_id: number }>(
      `select kind, ticket_id from messages where body = 'Refunded' and author_id = $1`,
      [pavel],
    );
    expect(posted).toEqual([{ kind: 'agent', ticket_id: id }]);
    expect(textOf(await lastSent(h, customer, (m) => textOf(m).includes('Refunded')))).toBe(
      `<b>#${id}</b> · Pavel:\nRefunded`,
    );
    // Not a new ticket of Pavel's own.
    expect(await h.query('select id from tickets where customer_id = $1', [pavel])).toEqual([]);
  });

  it('a ticket assigned by someone else is DM’d to the new assignee; one they take themselves is not', async () => {
    const anna = await agentInTelegram('Anna', 'en');
    const boss = await makeAdmin();
    const customer = newUserId();
    const id = await customerTicket(customer, 'Cannot log in');
    await assign({ id: boss, role: 'admin' }, id, anna);
    const dm = await lastSent(h, anna, (m) => textOf(m).startsWith('📌'));
    expect(textOf(dm)).toBe(`📌 Ticket <b>#${id}</b> is assigned to you: Cannot log in\nAssigned by Boss`);
    expect(markupOf(dm)?.inline_keyboard).toEqual([
      [{ text: 'Open', web_app: { url: `${PUBLIC_URL}/?tgWebAppStartParam=ticket_${id}` } }],
    ]);

    const maria = await agentInTelegram('Мария', 'ru');
    const other = await customerTicket(newUserId(), 'Где мой заказ');
    await assign({ id: boss, role: 'admin' }, other, maria);
    expect(textOf(await lastSent(h, maria, (m) => textOf(m).startsWith('📌')))).toBe(
      `📌 Вам назначен тикет <b>#${other}</b>: Где мой заказ\nНазначил(а): Boss`,
    );

    // Taken by oneself (a claim, or picking oneself as assignee): nothing to tell.
    const third = await customerTicket(newUserId(), 'Refund please');
    await assign({ id: anna, role: 'agent' }, third, anna);
    const selfAssigned = await ticketUpdate(third);
    expect(selfAssigned.data.changes).toContain('assigneeId');
    await handleEvent(deps, selfAssigned);
    expect(await outboxKeys(`assigned:${third}:%`)).toEqual([]);
  });

  it('after a claim or an assignment in the Mini App the agents’ post shows the assignee (Take again when unassigned); a Take in Telegram edits it once', async () => {
    const customer = newUserId();
    const id = await customerTicket(customer, 'Сломался вход');
    const post = await lastSent(h, agentsChat, (m) => textOf(m).includes(`#${id}`));
    expect(markupOf(post)?.inline_keyboard[0]?.[0]).toEqual({ text: 'Взять', callback_data: `take:${id}` });
    // The post's message id is known once its send is recorded.
    await postsSent(h, id);
    const editsOfPost = () =>
      h.api.callsOf('editMessageReplyMarkup').filter((c) => c.params.message_id === post.message_id);
    const buttonAfter = async (edits: number) => {
      const edit = await waitFor(() => editsOfPost()[edits - 1], {
        description: `edit ${edits} of the post`,
      });
      return (edit.params.reply_markup as { inline_keyboard: Array<Array<{ text: string }>> })
        .inline_keyboard[0]?.[0]?.text;
    };

    const pavel = await makeAgent(h, 'Pavel');
    await h.uc.claimTicket({ id: pavel, role: 'agent' }, id);
    expect(await buttonAfter(1)).toBe('✅ Исполнитель: Pavel');
    const fullMarkup = editsOfPost()[0]?.params.reply_markup;
    expect(fullMarkup).toEqual({
      inline_keyboard: [
        [
          { text: '✅ Исполнитель: Pavel', callback_data: `take:${id}` },
          { text: 'Открыть', url: `https://t.me/${h.api.botInfo.username}?start=ticket_${id}` },
        ],
      ],
    });
    const boss = await makeAdmin();
    await assign({ id: boss, role: 'admin' }, id, null);
    expect(await buttonAfter(2)).toBe('Взять');
    // Back to the same agent: the post follows again (its own edit, not the first one's).
    await assign({ id: boss, role: 'admin' }, id, pavel);
    expect(await buttonAfter(3)).toBe('✅ Исполнитель: Pavel');
    // A redelivered claim changes nothing.
    expect(await handleEvent(deps, await ticketUpdate(id))).toBe(0);

    // Take pressed in Telegram: the press edits the post; its event adds no second, identical edit.
    const next = await customerTicket(newUserId(), 'Не грузится страница');
    const nextPost = await lastSent(h, agentsChat, (m) => textOf(m).includes(`#${next}`));
    await postsSent(h, next);
    const olga = await makeAgent(h, 'Olga', 'ru');
    await h.send(
      makeCallbackUpdate({ from: { id: olga, first_name: 'Olga' }, data: `take:${next}`, message: nextPost }),
    );
    await h.api.waitForCall('editMessageReplyMarkup', (c) => c.params.message_id === nextPost.message_id);
    await handleEvent(deps, await ticketUpdate(next));
    const edits = await h.query<{ n: number }>(
      `select count(*)::int as n from telegram_outbox
       where method = 'editMessageReplyMarkup' and chat_id = $1 and (payload->>'message_id')::bigint = $2`,
      [agentsChat, nextPost.message_id],
    );
    expect(edits).toEqual([{ n: 1 }]);
  });

  it('assignment events handled late or out of order leave the post showing the assignee the ticket has now', async () => {
    // A second agents' group that only this test's handling posts to, so the running bot's own (prompt)
    // handling of the same events does not touch it: its events are handled when the test says.
    const laterChat = -1001112223334;
    const later: EventHandlerDeps = { ...deps, agentsChatId: laterChat };
    const id = await customerTicket(newUserId(), 'Не открывается счёт');
    await handleEvent(later, await lastEvent(id, 'ticket.created'));
    const posted = await waitFor(
      async () =>
        (
          await h.query<{ m: string }>(
            `select telegram_message_id as m from telegram_outbox where dedupe_key = $1 and status = 'sent'`,
            [`created:${id}:${laterChat}`],
          )
        )[0],
      { description: 'the post in the second group sent' },
    );
    const lastButton = async () => {
      const rows = await h.query<{ markup: Keyboard }>(
        `select payload->'reply_markup' as markup from telegram_outbox
         where method = 'editMessageReplyMarkup' and chat_id = $1 and (payload->>'message_id')::bigint = $2
         order by id`,
        [laterChat, Number(posted.m)],
      );
      return rows.at(-1)?.markup.inline_keyboard[0]?.[0]?.text;
    };
    const assignments = async () =>
      (await h.uc.readEvents(id, 0)).filter(
        (e): e is Extract<TicketEvent, { type: 'ticket.updated' }> =>
          e.type === 'ticket.updated' && e.data.changes.includes('assigneeId'),
      );
    const boss = { id: await makeAdmin(), role: 'admin' as const };
    const pavel = await makeAgent(h, 'Pavel');
    const olga = await makeAgent(h, 'Olga');

    // Pavel, Olga, Pavel again while the bot was away: the backlog, replayed in order, ends on Pavel.
    await assign(boss, id, pavel);
    await assign(boss, id, olga);
    await assign(boss, id, pavel);
    for (const event of await assignments()) await handleEvent(later, event);
    expect(await lastButton()).toBe('✅ Исполнитель: Pavel');

    // Olga, then nobody; the unassignment handled first (the assignment's handling failed and is retried).
    await assign(boss, id, olga);
    await assign(boss, id, null);
    const [toOlga, toNobody] = (await assignments()).slice(-2);
    if (!toOlga || !toNobody) throw new Error('two assignment events expected');
    await handleEvent(later, toNobody);
    await handleEvent(later, toOlga);
    expect(await lastButton()).toBe('Взять');
  });
});

/** Without an agents' group every agent gets the new-ticket post in their DM: a Take by one updates them all. */
describe('bot and the assignee, posts in agents’ DMs', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('webhook', {}, 'assignee_dm');
  });
  afterAll(async () => {
    await h.close();
  });

  it('a Take pressed in one agent’s DM updates the post in every other agent’s DM, in their language', async () => {
    const agents = { anna: await makeAgent(h, 'Anna', 'en'), maria: await makeAgent(h, 'Мария', 'ru') };
    for (const [id, language] of [
      [agents.anna, 'en'],
      [agents.maria, 'ru'],
    ] as const) {
      await h.send(makeTextUpdate({ from: { id, language_code: language }, text: '/start' }));
    }
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'ru' }, text: 'Не работает оплата' }));
    const [ticket] = await h.query<{ id: number }>('select id from tickets where customer_id = $1', [
      customer,
    ]);
    const id = ticket?.id ?? 0;
    const posts = {
      anna: await lastSent(h, agents.anna, (m) => textOf(m).startsWith('🆕')),
      maria: await lastSent(h, agents.maria, (m) => textOf(m).startsWith('🆕')),
    };
    await postsSent(h, id, 2);
    await h.send(
      makeCallbackUpdate({
        from: { id: agents.anna, first_name: 'Anna' },
        data: `take:${id}`,
        message: posts.anna,
      }),
    );
    const edit = await h.api.waitForCall(
      'editMessageReplyMarkup',
      (c) => c.params.chat_id === agents.maria && c.params.message_id === posts.maria.message_id,
    );
    expect(edit.params.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: '✅ Исполнитель: Anna', callback_data: `take:${id}` },
          { text: 'Открыть', web_app: { url: `${PUBLIC_URL}/?tgWebAppStartParam=ticket_${id}` } },
        ],
      ],
    });
    // Anna's own post was edited by her press, once.
    await h.api.waitForCall('editMessageReplyMarkup', (c) => c.params.chat_id === agents.anna);
    const annaEdits = await h.query<{ n: number }>(
      `select count(*)::int as n from telegram_outbox where method = 'editMessageReplyMarkup' and chat_id = $1`,
      [agents.anna],
    );
    expect(annaEdits).toEqual([{ n: 1 }]);
  });
});
