import {
  makeCallbackUpdate,
  makeDocumentUpdate,
  makeEditedMessageUpdate,
  makePhotoUpdate,
  makeTextUpdate,
  type TgMessage,
  waitFor,
} from '@tikethet/testkit';
import {
  type Harness,
  lastSent as lastSentTo,
  makeAgent as makeAgentIn,
  markupOf,
  newUserId,
  PUBLIC_URL,
  startHarness,
  textOf,
} from './helpers/harness';

describe.each(['polling', 'webhook'] as const)('bot flows (%s mode)', (mode) => {
  let h: Harness;
  const agentsChat = -1009876543210;

  beforeAll(async () => {
    h = await startHarness(mode, { AGENTS_CHAT_ID: String(agentsChat) }, 'flows');
  });
  afterAll(async () => {
    await h.close();
  });

  const lastSent = (chatId: number, predicate?: (m: TgMessage) => boolean) =>
    lastSentTo(h, chatId, predicate);
  const makeAgent = (first?: string) => makeAgentIn(h, first);

  it('registers commands (ru, en), the seed description, the menu button and the webhook at start', () => {
    const commands = h.api.callsOf('setMyCommands');
    expect(commands.map((c) => c.params.language_code)).toEqual(expect.arrayContaining(['ru', 'en']));
    expect(JSON.stringify(commands[0]?.params.commands)).toContain('tickets');
    const descriptions = h.api.callsOf('setMyDescription').map((c) => c.params.description);
    expect(descriptions).toContain(
      'TiketHet - Современная система тикетов поддержки с real-time чатом и Mini App интерфейсом',
    );
    expect(descriptions).toContain(
      'TiketHet - A modern support ticket system with real-time chat and a Mini App interface',
    );
    expect(h.api.callsOf('setChatMenuButton')[0]?.params).toMatchObject({
      menu_button: { type: 'web_app', text: 'Открыть тикеты', web_app: { url: PUBLIC_URL } },
    });
    if (mode === 'webhook')
      expect(h.api.webhook).toMatchObject({
        url: `${h.baseUrl}/telegram/webhook`,
        secretToken: 'test-secret_123',
      });
    else expect(h.api.webhook).toBeUndefined();
  });

  it('/start greets in the user language with a web_app button; /help explains', async () => {
    const ru = newUserId();
    await h.send(
      makeTextUpdate({ from: { id: ru, first_name: 'Олег', language_code: 'ru' }, text: '/start' }),
    );
    const greeting = await lastSent(ru);
    expect(textOf(greeting)).toContain('Здравствуйте, Олег');
    expect(markupOf(greeting)?.inline_keyboard[0]?.[0]).toEqual({
      text: 'Открыть тикеты',
      web_app: { url: `${PUBLIC_URL}/` },
    });
    const en = newUserId();
    await h.send(
      makeTextUpdate({ from: { id: en, first_name: '<b>Ann</b>', language_code: 'en-GB' }, text: '/start' }),
    );
    const hello = await lastSent(en);
    expect(textOf(hello)).toContain('Hello, &lt;b&gt;Ann&lt;/b&gt;!');
    expect(markupOf(hello)?.inline_keyboard[0]?.[0]?.text).toBe('Open tickets');
    await h.send(makeTextUpdate({ from: { id: en, language_code: 'en' }, text: '/help' }));
    expect(textOf(await lastSent(en, (m) => textOf(m).includes('/tickets')))).toContain(
      'support right inside Telegram',
    );
    const user = await h.uc.getUser(en);
    expect(user).toMatchObject({ languageCode: 'en' });
    expect(await h.uc.getBotChatId(en)).toBe(en);
  });

  it('a first message opens a ticket (subject from its first line) and confirms its number; more messages join it', async () => {
    const customer = newUserId();
    const first = makeTextUpdate({
      from: { id: customer, language_code: 'ru' },
      text: 'Не работает оплата\nКарта отклонена',
    });
    await h.send(first);
    const [ticket] = await h.query<{ id: number; subject: string; source: string }>(
      'select id, subject, source from tickets where customer_id = $1',
      [customer],
    );
    expect(ticket).toMatchObject({ subject: 'Не работает оплата', source: 'bot' });
    const confirmation = await lastSent(customer);
    // A customer's ticket is «обращение», as in the Mini App they open from here.
    expect(textOf(confirmation)).toContain(`Обращение <b>#${ticket?.id}</b> создано: Не работает оплата`);
    expect(markupOf(confirmation)?.inline_keyboard[0]?.[0]?.web_app?.url).toBe(
      `${PUBLIC_URL}/?tgWebAppStartParam=ticket_${ticket?.id}`,
    );
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'и ещё деталь' }));
    const bodies = await h.query<{ body: string }>(
      'select body from messages where ticket_id = $1 order by seq',
      [ticket?.id],
    );
    expect(bodies.map((b) => b.body)).toEqual(['Не работает оплата\nКарта отклонена', 'и ещё деталь']);

    // /start ticket_<id> opens that ticket; /tickets lists it.
    await h.send(makeTextUpdate({ from: { id: customer }, text: `/start ticket_${ticket?.id}` }));
    const deep = await lastSent(customer, (m) => textOf(m).includes('Здравствуйте'));
    expect(markupOf(deep)?.inline_keyboard[0]?.[0]?.web_app?.url).toBe(
      `${PUBLIC_URL}/?tgWebAppStartParam=ticket_${ticket?.id}`,
    );
    await h.send(makeTextUpdate({ from: { id: customer }, text: '/tickets' }));
    const list = await lastSent(customer, (m) => textOf(m).includes('Ваши открытые обращения'));
    expect(textOf(list)).toBe('Ваши открытые обращения:');
    expect(markupOf(list)?.inline_keyboard[0]?.[0]?.text).toBe(`#${ticket?.id} · Не работает оплата · новое`);
  });

  it('/new opens a new ticket from the next message; a reply goes to the ticket it replies to', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'en' }, text: 'First problem' }));
    const firstConfirmation = await lastSent(customer);
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'en' }, text: '/new' }));
    expect(textOf(await lastSent(customer, (m) => textOf(m).includes('Describe')))).toContain('first line');
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'en' }, text: 'Second problem' }));
    const tickets = await h.query<{ id: number; subject: string }>(
      'select id, subject from tickets where customer_id = $1 order by id',
      [customer],
    );
    expect(tickets.map((t) => t.subject)).toEqual(['First problem', 'Second problem']);
    await h.send(
      makeTextUpdate({ from: { id: customer }, text: 'about the first', replyTo: firstConfirmation }),
    );
    const onFirst = await h.query('select body from messages where ticket_id = $1 order by seq', [
      tickets[0]?.id,
    ]);
    expect(onFirst.map((r) => r.body)).toEqual(['First problem', 'about the first']);
    expect(await h.uc.getState(`bot:new:${customer}`)).toBeNull();
  });

  it('stores photos and documents (file id, type, size, caption) and records edits keeping the original', async () => {
    const customer = newUserId();
    const photo = makePhotoUpdate({
      from: { id: customer, language_code: 'en' },
      caption: 'Screenshot of the error',
    });
    await h.send(photo);
    await h.send(
      makeDocumentUpdate({
        from: { id: customer },
        fileName: 'log.txt',
        mimeType: 'text/plain',
        fileSize: 1234,
      }),
    );
    const files = await h.query<{
      kind: string;
      file_name: string | null;
      size: number;
      telegram_file_id: string;
    }>(
      'select a.kind, a.file_name, a.size, a.telegram_file_id from attachments a join messages m on m.id = a.message_id join tickets t on t.id = m.ticket_id where t.customer_id = $1 order by a.id',
      [customer],
    );
    expect(files).toEqual([
      expect.objectContaining({
        kind: 'photo',
        size: 98000,
        telegram_file_id: photo.message?.photo?.[2]?.file_id,
      }),
      expect.objectContaining({ kind: 'document', file_name: 'log.txt', size: 1234 }),
    ]);
    const original = makeTextUpdate({ from: { id: customer }, text: 'typo heer' });
    await h.send(original);
    await h.send(makeEditedMessageUpdate({ original: original.message as TgMessage, text: 'typo here' }));
    const [edited] = await h.query('select body, original_body from messages where body like $1', [
      'typo here',
    ]);
    expect(edited).toEqual({ body: 'typo here', original_body: 'typo heer' });
  });

  it('delivers agent replies (not notes) with the ticket number; the customer answers by replying; resolve asks for a rating', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'en' }, text: 'Need help' }));
    const [ticket] = await h.query<{ id: number }>('select id from tickets where customer_id = $1', [
      customer,
    ]);
    const ticketId = ticket?.id ?? 0;
    const agent = await makeAgent('Maria');
    await h.uc.postMessage({ id: agent, role: 'agent' }, ticketId, { body: 'secret note', internal: true });
    const reply = await h.uc.postMessage({ id: agent, role: 'agent' }, ticketId, {
      body: 'Try <this> & that',
    });
    const delivered = await lastSent(customer, (m) => textOf(m).includes('Try'));
    expect(textOf(delivered)).toBe(`<b>#${ticketId}</b> · Maria:\nTry &lt;this&gt; &amp; that`);
    expect(markupOf(delivered)?.inline_keyboard[0]?.[0]?.web_app?.url).toContain(`ticket_${ticketId}`);
    await waitFor(
      async () =>
        (await h.query('select delivery from messages where id = $1', [reply.message.id]))[0]?.delivery ===
        'sent',
    );
    expect(h.api.sentMessages(customer).some((m) => textOf(m).includes('secret note'))).toBe(false);

    await h.send(
      makeTextUpdate({
        from: { id: customer, language_code: 'en' },
        text: 'Thanks, worked',
        replyTo: delivered,
      }),
    );
    const last = await h.query(
      'select body, kind from messages where ticket_id = $1 order by seq desc limit 1',
      [ticketId],
    );
    expect(last[0]).toEqual({ body: 'Thanks, worked', kind: 'customer' });

    const current = await h.uc.findTicket(ticketId);
    await h.uc.updateTicket({ id: agent, role: 'agent' }, ticketId, {
      status: 'resolved',
      version: current?.version ?? 0,
    });
    const ask = await lastSent(customer, (m) => textOf(m).includes('rate'));
    const five = markupOf(ask)?.inline_keyboard[0]?.[4];
    expect(five?.callback_data).toBe(`rate:${ticketId}:5`);
    await h.send(
      makeCallbackUpdate({ from: { id: customer }, data: five?.callback_data ?? '', message: ask }),
    );
    expect((await h.uc.findTicket(ticketId))?.rating).toBe(5);
    await h.api.waitForCall('answerCallbackQuery', (c) => String(c.params.text).includes('5'));
  });

  it('posts new tickets to the agents chat with Take and Open; Take claims; an agent reply to the post reaches the customer', async () => {
    const customer = newUserId();
    await h.send(
      makeTextUpdate({
        from: { id: customer, first_name: 'Ivan', language_code: 'ru' },
        text: 'Сломался вход',
      }),
    );
    const [ticket] = await h.query<{ id: number }>('select id from tickets where customer_id = $1', [
      customer,
    ]);
    const ticketId = ticket?.id ?? 0;
    const post = await lastSent(agentsChat, (m) => textOf(m).includes(`#${ticketId}`));
    expect(textOf(post)).toContain('Сломался вход');
    const buttons = markupOf(post)?.inline_keyboard[0] ?? [];
    expect(buttons[0]).toEqual({ text: 'Взять', callback_data: `take:${ticketId}` });
    expect(buttons[1]?.url).toBe(`https://t.me/${h.api.botInfo.username}?start=ticket_${ticketId}`);
    const agent = await makeAgent('Pavel');
    const groupChat = post.chat;
    await h.send(makeCallbackUpdate({ from: { id: agent }, data: `take:${ticketId}`, message: post }));
    expect((await h.uc.findTicket(ticketId))?.assigneeId).toBe(agent);
    await h.send(
      makeTextUpdate({ from: { id: agent }, chat: groupChat, text: 'Looking into it', replyTo: post }),
    );
    const rows = await h.query('select kind, author_id from messages where ticket_id = $1 and body = $2', [
      ticketId,
      'Looking into it',
    ]);
    expect(rows).toEqual([{ kind: 'agent', author_id: agent }]);
    expect(textOf(await lastSent(customer, (m) => textOf(m).includes('Looking')))).toContain(`#${ticketId}`);
  });
});
