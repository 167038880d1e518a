import {
  makeCallbackUpdate,
  makePhotoUpdate,
  makeTextUpdate,
  type TgUpdate,
  waitFor,
} from '@tikethet/testkit';
import {
  type Harness,
  lastSent,
  makeAgent,
  markupOf,
  newUserId,
  PUBLIC_URL,
  startHarness,
  textOf,
} from './helpers/harness';

/**
 * What a customer and an agent read in Telegram, beyond the happy path of flows.test.ts: words, dead ends,
 * what the bot cannot take, rating and Take after the first press. One transport (webhook) is enough: none
 * of this depends on how updates arrive.
 */
describe('bot conversation', () => {
  let h: Harness;
  const agentsChat = -1001234567890;

  beforeAll(async () => {
    h = await startHarness('webhook', { AGENTS_CHAT_ID: String(agentsChat) }, 'conversation');
  });
  afterAll(async () => {
    await h.close();
  });

  /** A private message of a kind the testkit has no builder for (location, sticker, round video). */
  function rawMessage(
    from: { id: number; language_code?: string },
    fields: Record<string, unknown>,
  ): TgUpdate {
    const user = { is_bot: false, first_name: `User${from.id}`, ...from };
    return {
      message: {
        message_id: Math.floor(Math.random() * 1e9),
        from: user,
        chat: { id: from.id, type: 'private', first_name: user.first_name },
        date: Math.floor(Date.now() / 1000),
        ...fields,
      },
    } as unknown as TgUpdate;
  }
  const sticker = { file_id: 'CAACAgIAAxkBAAI', file_unique_id: 'AgADsticker', width: 512, height: 512 };

  /** An agent moves the ticket to `status` (at its current version). */
  async function setStatus(agent: number, ticketId: number, status: 'pending' | 'resolved' | 'closed') {
    const current = await h.uc.findTicket(ticketId);
    await h.uc.updateTicket({ id: agent, role: 'agent' }, ticketId, {
      status,
      version: current?.version ?? 0,
    });
  }
  const ticketsOf = (customer: number) =>
    h.query<{ id: number; subject: string; status: string }>(
      'select id, subject, status from tickets where customer_id = $1 order by id',
      [customer],
    );
  const bodiesOf = (ticketId: number) =>
    h.query<{ body: string }>('select body from messages where ticket_id = $1 order by seq', [ticketId]);
  /** The answer the bot queued to this customer message (answers reply to the message they answer). */
  const answerTo = (chatId: number, update: TgUpdate) =>
    waitFor(async () => {
      const [row] = await h.query<{ text: string }>(
        `select payload->>'text' as text from telegram_outbox
         where chat_id = $1 and (payload->'reply_parameters'->>'message_id')::bigint = $2`,
        [chatId, update.message?.message_id],
      );
      return row?.text;
    });

  it('/start with a missing or someone else’s ticket says it was not found; agents get their own greeting and help', async () => {
    const owner = newUserId();
    await h.send(makeTextUpdate({ from: { id: owner, language_code: 'ru' }, text: 'Не приходит код' }));
    const [ticket] = await ticketsOf(owner);
    const id = ticket?.id ?? 0;

    const other = newUserId();
    for (const payload of [`ticket_${id}`, 'ticket_987654321']) {
      await h.send(makeTextUpdate({ from: { id: other, language_code: 'en' }, text: `/start ${payload}` }));
      const hello = await lastSent(h, other, (m) => textOf(m).includes(payload.slice(7)));
      expect(textOf(hello)).toContain(`Request <b>#${payload.slice(7)}</b> was not found`);
      // Only the general button: nothing that would open someone else's ticket.
      expect(markupOf(hello)?.inline_keyboard).toEqual([
        [{ text: 'Open tickets', web_app: { url: `${PUBLIC_URL}/` } }],
      ]);
    }

    const agent = await makeAgent(h, 'Мария', 'ru');
    await h.send(makeTextUpdate({ from: { id: agent, language_code: 'ru' }, text: `/start ticket_${id}` }));
    const greeting = await lastSent(h, agent, (m) => textOf(m).includes(`#${id}`));
    expect(textOf(greeting)).toContain('Вы в команде поддержки TiketHet');
    expect(textOf(greeting)).not.toContain('Напишите сюда свой вопрос');
    expect(markupOf(greeting)?.inline_keyboard[0]?.[0]?.web_app?.url).toContain(`ticket_${id}`);
    await h.send(makeTextUpdate({ from: { id: agent, language_code: 'ru' }, text: '/help' }));
    expect(textOf(await lastSent(h, agent, (m) => textOf(m).includes('/tickets')))).toContain(
      '<b>Для агентов</b>',
    );
  });

  it('answers what it cannot take, and opens no ticket from a lone emoji or sticker', async () => {
    const customer = newUserId();
    const from = { id: customer, language_code: 'ru' };
    const location = rawMessage(from, { location: { latitude: 55.75, longitude: 37.61 } });
    const thumbsUp = makeTextUpdate({ from, text: '👍' });
    const lone = rawMessage(from, { sticker });
    const cancel = makeTextUpdate({ from, text: '/cancel' });
    for (const update of [location, thumbsUp, lone, cancel]) await h.send(update);
    expect(await answerTo(customer, location)).toBe(
      'Такие сообщения бот не принимает. Напишите текстом или пришлите фото, видео, файл или голосовое сообщение.',
    );
    expect(await answerTo(customer, thumbsUp)).toBe(
      'Чтобы открыть обращение, опишите проблему словами — к тексту можно приложить фото или файл.',
    );
    expect(await answerTo(customer, lone)).toBe(await answerTo(customer, thumbsUp));
    expect(await answerTo(customer, cancel)).toBe('Такой команды нет. Что умеет бот — /help');
    expect(await ticketsOf(customer)).toEqual([]);

    // With a ticket to put them on, a sticker and a round video are kept; an unknown command is not.
    const words = 'слово '.repeat(50).trim();
    await h.send(makeTextUpdate({ from, text: `${words}\nподробности` }));
    const [ticket] = await ticketsOf(customer);
    // A long first line is cut after a whole word.
    expect(ticket?.subject).toMatch(/ слово…$/);
    expect([...(ticket?.subject ?? '')].length).toBeLessThanOrEqual(200);
    await h.send(rawMessage(from, { sticker }));
    await h.send(
      rawMessage(from, {
        video_note: { file_id: 'DQACAgIAAxkBAAI', file_unique_id: 'AgADround', length: 240, duration: 4 },
      }),
    );
    const again = makeTextUpdate({ from, text: '/cancel' });
    await h.send(again);
    await answerTo(customer, again);
    expect((await bodiesOf(ticket?.id ?? 0)).map((m) => m.body)).toEqual([
      `${words}\nподробности`,
      '[Стикер]',
      '[Видеосообщение]',
    ]);
    const kinds = await h.query<{ kind: string; width: number }>(
      'select a.kind, a.width from attachments a join messages m on m.id = a.message_id where m.ticket_id = $1 order by a.id',
      [ticket?.id],
    );
    expect(kinds).toEqual([
      { kind: 'sticker', width: null },
      { kind: 'video_note', width: 240 },
    ]);

    // A photo without a caption opens a ticket that says what it is, in the customer's words.
    const photographer = newUserId();
    await h.send(makePhotoUpdate({ from: { id: photographer, language_code: 'ru' } }));
    const [photoTicket] = await ticketsOf(photographer);
    expect(photoTicket?.subject).toBe('[Фото]');
  });

  it('a reply to a closed ticket’s message opens a new ticket and says why', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'ru' }, text: 'Ошибка 500' }));
    const [old] = await ticketsOf(customer);
    const oldId = old?.id ?? 0;
    const confirmation = await lastSent(h, customer, (m) => textOf(m).includes(`#${oldId}`));
    const agent = await makeAgent(h);
    await setStatus(agent, oldId, 'closed');
    const closed = await lastSent(h, customer, (m) => textOf(m).includes('закрыто'));
    // The close notice says what to do next.
    expect(textOf(closed)).toBe(
      `Обращение <b>#${oldId}</b> закрыто. Если понадобится помощь — просто напишите сюда, и мы откроем новое.`,
    );
    await h.send(
      makeTextUpdate({
        from: { id: customer, language_code: 'ru' },
        text: 'Опять 500',
        replyTo: confirmation,
      }),
    );
    const [, fresh] = await ticketsOf(customer);
    const newId = fresh?.id ?? 0;
    const created = await lastSent(h, customer, (m) => textOf(m).includes(`#${newId}`));
    expect(textOf(created)).toMatch(
      new RegExp(
        `^Обращение <b>#${oldId}</b> уже закрыто, поэтому мы открыли новое\\.\\nОбращение <b>#${newId}</b> создано: Опять 500`,
      ),
    );
  });

  it('a rating press shows the score given; on a reopened ticket it says why it cannot be rated now', async () => {
    const customer = newUserId();
    const from = { id: customer, language_code: 'ru' };
    await h.send(makeTextUpdate({ from, text: 'Не могу войти' }));
    const [ticket] = await ticketsOf(customer);
    const id = ticket?.id ?? 0;
    const agent = await makeAgent(h);
    await setStatus(agent, id, 'resolved');
    const ask = await lastSent(h, customer, (m) => textOf(m).includes('Оцените'));
    expect(textOf(ask)).toContain('Если вопрос остался — просто напишите сюда');

    await h.send(makeCallbackUpdate({ from, data: `rate:${id}:4`, message: ask }));
    await h.api.waitForCall('answerCallbackQuery', (c) => c.params.text === 'Спасибо! Ваша оценка: 4 из 5');
    const edit = await h.api.waitForCall('editMessageText', (c) => c.params.message_id === ask.message_id);
    expect(edit.params.text).toBe(
      `Обращение <b>#${id}</b> решено. Ваша оценка: 4 из 5 — спасибо!\nЕсли вопрос остался — просто напишите сюда.`,
    );
    // The five buttons give way to the way into the ticket.
    expect(edit.params.reply_markup).toEqual({
      inline_keyboard: [
        [
          {
            text: `Открыть обращение #${id}`,
            web_app: { url: `${PUBLIC_URL}/?tgWebAppStartParam=ticket_${id}` },
          },
        ],
      ],
    });

    await h.send(makeTextUpdate({ from, text: 'Всё-таки не работает' }));
    expect((await h.uc.findTicket(id))?.status).toBe('open');
    await h.send(makeCallbackUpdate({ from, data: `rate:${id}:1`, message: ask }));
    const refused = await h.api.waitForCall(
      'answerCallbackQuery',
      (c) => c.params.show_alert === true && String(c.params.text).includes('снова в работе'),
    );
    expect(refused.params.text).toBe(
      'Обращение снова в работе — оценить его можно будет, когда вопрос решится.',
    );
    expect((await h.uc.findTicket(id))?.rating).toBe(4);
  });

  it('after Take the agents’ post shows who has the ticket; a caption-less screenshot reply reaches the ticket; a first reply brings no extra “in progress” notice', async () => {
    const customer = newUserId();
    await h.send(
      makeTextUpdate({
        from: { id: customer, first_name: 'Ivan', language_code: 'ru' },
        text: 'Сломался вход',
      }),
    );
    const [ticket] = await ticketsOf(customer);
    const id = ticket?.id ?? 0;
    const post = await lastSent(h, agentsChat, (m) => textOf(m).includes(`#${id}`));
    const pavel = await makeAgent(h, 'Pavel');
    await h.send(
      makeCallbackUpdate({ from: { id: pavel, first_name: 'Pavel' }, data: `take:${id}`, message: post }),
    );
    const edited = await h.api.waitForCall(
      'editMessageReplyMarkup',
      (c) => c.params.message_id === post.message_id,
    );
    expect(edited.params.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: '✅ Исполнитель: Pavel', callback_data: `take:${id}` },
          { text: 'Открыть', url: `https://t.me/${h.api.botInfo.username}?start=ticket_${id}` },
        ],
      ],
    });
    const olga = await makeAgent(h, 'Olga', 'ru');
    await h.send(
      makeCallbackUpdate({ from: { id: olga, first_name: 'Olga' }, data: `take:${id}`, message: post }),
    );
    await h.api.waitForCall('answerCallbackQuery', (c) => c.params.text === 'Тикет уже взят');
    // Taking tells the customer someone is on it.
    expect(textOf(await lastSent(h, customer, (m) => textOf(m).includes('в работе')))).toBe(
      `Обращение <b>#${id}</b> в работе.`,
    );
    // A screenshot without a caption, as a reply to the post, is Pavel's message on the ticket.
    await h.send(
      makePhotoUpdate({ from: { id: pavel, first_name: 'Pavel' }, chat: post.chat, replyTo: post }),
    );
    const [shot] = await h.query<{ kind: string; body: string; files: string }>(
      `select m.kind, m.body, count(a.id)::int as files from messages m join attachments a on a.message_id = m.id
       where m.ticket_id = $1 and m.author_id = $2 group by m.id`,
      [id, pavel],
    );
    expect(shot).toEqual({ kind: 'agent', body: '[Фото]', files: 1 });
    // The customer gets the photo itself (copied from the agents' chat), captioned as Pavel's reply.
    const copy = await waitFor(() =>
      h.api.callsOf('copyMessage').find((c) => c.params.chat_id === customer && c.ok),
    );
    expect(copy.params).toMatchObject({
      from_chat_id: post.chat.id,
      caption: `<b>#${id}</b> · Pavel:\n[Фото]`,
    });

    // A first reply opens a new ticket by itself: the customer reads the reply, not a notice on top of it.
    const other = newUserId();
    await h.send(makeTextUpdate({ from: { id: other, language_code: 'ru' }, text: 'Где мой заказ?' }));
    const [second] = await ticketsOf(other);
    const secondId = second?.id ?? 0;
    await h.uc.postMessage({ id: pavel, role: 'agent' }, secondId, { body: 'Проверяю' });
    expect((await h.uc.findTicket(secondId))?.status).toBe('open');
    await lastSent(h, other, (m) => textOf(m).includes('Проверяю'));
    await setStatus(pavel, secondId, 'pending');
    await lastSent(h, other, (m) => textOf(m).includes('ждём вашего ответа'));
    const texts = h.api.sentMessages(other).map(textOf);
    expect(texts.filter((t) => t.includes(`#${secondId}`) && t.includes('в работе'))).toEqual([]);
  });

  // Last: its eleven tickets queue eleven posts in the agents' group (20 a minute).
  it('/tickets lists the ten with the newest activity and says where the rest are', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'ru' }, text: '/start' }));
    const ids: number[] = [];
    for (let i = 1; i <= 11; i += 1) {
      const created = await h.uc.createTicket(
        { id: customer, role: 'customer' },
        { subject: `Вопрос ${i}`, body: `Вопрос ${i}` },
        { source: 'bot' },
      );
      ids.push(created.ticket.id);
    }
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'ru' }, text: '/tickets' }));
    const list = await lastSent(h, customer, (m) => textOf(m).startsWith('Ваши открытые'));
    expect(textOf(list)).toBe(
      'Ваши открытые обращения — последние 10, остальные по кнопке «Открыть тикеты»:',
    );
    const buttons = (markupOf(list)?.inline_keyboard ?? []).map((row) => row[0]?.text);
    expect(buttons).toEqual([
      ...ids
        .slice(1)
        .reverse()
        .map((id, i) => `#${id} · Вопрос ${11 - i} · новое`),
      'Открыть тикеты',
    ]);
  });
});
