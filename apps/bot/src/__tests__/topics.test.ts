import {
  makeEditedMessageUpdate,
  makeMediaUpdate,
  makePhotoUpdate,
  makeServiceUpdate,
  makeTextUpdate,
  type TgChat,
  type TgMessage,
  waitFor,
} from '@tikethet/testkit';
import { mirrorTicket } from '../topics/mirror';
import { type Harness, makeAgent, newUserId, startHarness, textOf } from './helpers/harness';

const FORUM = -1002200330044;
const forumChat: TgChat = { id: FORUM, type: 'supergroup', title: 'Support', is_forum: true };

/** Issue 16: one forum topic per ticket, answered from the topic. */
describe('agents forum: one topic per ticket', () => {
  let h: Harness;

  beforeAll(async () => {
    // Every ticket of the desk posts in one group: Telegram's 20/min per group is raised for the test.
    h = await startHarness(
      'polling',
      { AGENTS_CHAT_ID: String(FORUM), BOT_RATE_GROUP_PER_MIN: '6000' },
      'topics',
      {
        beforeStart: (api) => api.makeForum(FORUM, { title: 'Support' }),
      },
    );
  });
  afterAll(async () => {
    await h.close();
  });

  const topicOf = (ticketId: number) =>
    waitFor(
      async () =>
        (
          await h.query<{ thread_id: number | null }>(
            'select thread_id from ticket_topics where ticket_id = $1 and thread_id is not null',
            [ticketId],
          )
        )[0]?.thread_id ?? undefined,
      { description: `topic of #${ticketId}` },
    );
  const inTopic = (threadId: number) => h.api.topicMessages(FORUM, threadId);
  const waitInTopic = (threadId: number, predicate: (m: TgMessage) => boolean, what: string) =>
    waitFor(() => inTopic(threadId).find(predicate), { description: what });
  const ticketOf = async (customerId: number) =>
    waitFor(
      async () =>
        (
          await h.query<{ id: number; status: string }>(
            'select id, status from tickets where customer_id = $1 order by id desc limit 1',
            [customerId],
          )
        )[0],
      { description: `ticket of ${customerId}` },
    );
  const agentInTopic = (agent: number, threadId: number, text: string, extra: { replyTo?: TgMessage } = {}) =>
    makeTextUpdate({ from: { id: agent, first_name: 'Anna' }, chat: forumChat, threadId, text, ...extra });

  it('detects the forum at start and creates the topic of a bot ticket with its card and the message', async () => {
    expect(h.api.callsOf('getChat')[0]?.params).toMatchObject({ chat_id: FORUM });
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, first_name: 'Olga' }, text: 'Printer is on fire' }));
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    const created = h.api.callsOf('createForumTopic');
    expect(created).toHaveLength(1);
    expect(created[0]?.params).toMatchObject({ chat_id: FORUM, name: `#${ticket.id} Printer is on fire` });
    await waitInTopic(thread, (m) => m.text === 'Printer is on fire', 'the customer message copied');
    const texts = inTopic(thread).map((m) => (m.forum_topic_created ? 'created' : textOf(m)));
    expect(texts[0]).toBe('created');
    expect(texts[1]).toContain(`#${ticket.id}`);
    expect(texts[1]).toContain('Olga');
    expect(texts.slice(2)).toEqual(['Printer is on fire']);
    // The copy is the customer's own message, not a retelling.
    expect(h.api.callsOf('copyMessage').at(-1)?.params).toMatchObject({
      chat_id: FORUM,
      from_chat_id: customer,
      message_thread_id: thread,
    });
  });

  it('carries photos and voice as media, answers from the topic, keeps /note internal', async () => {
    const agent = await makeAgent(h, 'Anna');
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, first_name: 'Ivan' }, text: 'Wi-Fi drops' }));
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    await h.send(makePhotoUpdate({ from: { id: customer }, caption: 'router lights' }));
    await h.send(makeMediaUpdate({ from: { id: customer }, kind: 'voice' }));
    await waitInTopic(thread, (m) => m.voice !== undefined, 'voice in topic');
    const photo = inTopic(thread).find((m) => m.photo !== undefined);
    expect(photo?.caption).toBe('router lights');

    // The agent answers in the topic: the customer gets it as the agent's reply.
    await h.send(agentInTopic(agent, thread, 'Please restart the router'));
    const reply = await waitFor(
      () => h.api.sentMessages(customer).find((m) => textOf(m).includes('Please restart the router')),
      { description: 'reply delivered' },
    );
    expect(textOf(reply)).toContain('Anna');
    // A photo too, moved as a photo.
    await h.send(
      makePhotoUpdate({
        from: { id: agent, first_name: 'Anna' },
        chat: forumChat,
        threadId: thread,
        caption: 'this button',
      }),
    );
    await waitFor(
      () => h.api.calls.find((c) => c.method === 'copyMessage' && c.params.chat_id === customer && c.ok),
      {
        description: 'the photo copied to the customer',
      },
    );

    // The photo's caption edited in the topic: the customer's copy says so, as a caption.
    const [photoMessage] = h.api
      .topicMessages(FORUM, thread)
      .filter((m) => m.from?.id === agent && m.caption === 'this button');
    await h.send(makeEditedMessageUpdate({ original: photoMessage as TgMessage, text: 'this red button' }));
    const captionEdit = await h.api.waitForCall('editMessageCaption', (c) => c.params.chat_id === customer);
    expect(String(captionEdit.params.caption)).toContain('this red button');

    await h.send(agentInTopic(agent, thread, '/note customer sounds angry'));
    await waitInTopic(thread, (m) => textOf(m).includes('Заметка сохранена'), 'note confirmed');
    const messages = await h.uc.listMessages({ id: agent, role: 'agent' }, ticket.id);
    const note = messages.find((m) => m.body === 'customer sounds angry');
    expect(note?.internal).toBe(true);
    // A reply to a note is a note too.
    const noteLine = await waitInTopic(thread, (m) => textOf(m).startsWith('/note'), 'the /note message');
    await h.send(agentInTopic(agent, thread, 'and wants a refund', { replyTo: noteLine }));
    await waitFor(
      async () =>
        (
          await h.query(
            "select 1 from messages where kind = 'note' and body = 'and wants a refund' and ticket_id = $1",
            [ticket.id],
          )
        ).length === 1 || undefined,
      { description: 'reply to a note kept as a note' },
    );
    const forCustomer = await h.uc.listMessages({ id: customer, role: 'customer' }, ticket.id);
    expect(JSON.stringify(forCustomer)).not.toContain('angry');
    expect(JSON.stringify(forCustomer)).not.toContain('refund');
    const toCustomer = JSON.stringify(h.api.calls.filter((c) => c.params.chat_id === customer));
    expect(toCustomer).not.toContain('angry');
    expect(toCustomer).not.toContain('refund');
    // Its event is internal: the gateway never sends such an event to a customer's socket.
    const [noteEvent] = await h.query<{ internal: boolean }>(
      "select internal from events where ticket_id = $1 and type = 'message.created' and data::text like '%sounds angry%'",
      [ticket.id],
    );
    expect(noteEvent?.internal).toBe(true);
    // Nothing the agent wrote in the topic is posted there twice.
    const echoes = inTopic(thread).filter((m) => m.from?.is_bot && textOf(m).includes('Please restart'));
    expect(echoes).toHaveLength(0);
  });

  it('/resolve closes the topic and asks for a rating; the customer writing reopens both', async () => {
    const agent = await makeAgent(h, 'Boris');
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Refund please' }));
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    await h.send(agentInTopic(agent, thread, '/resolve'));
    await waitFor(() => h.api.forumTopics(FORUM).find((t) => t.threadId === thread && t.closed), {
      description: 'topic closed',
    });
    expect(h.api.forumTopics(FORUM).find((t) => t.threadId === thread)).toMatchObject({
      closed: true,
      name: `#${ticket.id} ✅ Refund please`,
    });
    await waitFor(
      () => h.api.sentMessages(customer).find((m) => JSON.stringify(m.reply_markup ?? '').includes('rate:')),
      { description: 'rating asked' },
    );
    await waitInTopic(thread, (m) => textOf(m).includes('решён'), 'status post');

    await h.send(makeTextUpdate({ from: { id: customer }, text: 'It came back' }));
    expect((await ticketOf(customer)).status).toBe('open');
    await waitFor(() => h.api.forumTopics(FORUM).find((t) => t.threadId === thread && !t.closed), {
      description: 'topic reopened',
    });
  });

  it('runs /take, /assign, /priority in the topic and edits the customer copy of an edited reply', async () => {
    const agent = await makeAgent(h, 'Gleb');
    const other = await makeAgent(h, 'Dina');
    await h.uc.upsertUser({ id: other, first_name: 'Dina', username: 'dina_support' });
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'VPN is slow' }));
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);

    await h.send(agentInTopic(agent, thread, '/take'));
    await waitFor(async () => (await h.uc.findTicket(ticket.id))?.assigneeId === agent || undefined, {
      description: 'taken',
    });
    await h.send(agentInTopic(agent, thread, '/assign @nobody_here'));
    await waitInTopic(thread, (m) => textOf(m).includes('@nobody_here'), 'unknown agent answered');
    await h.send(agentInTopic(agent, thread, '/assign @Dina_Support'));
    await waitFor(async () => (await h.uc.findTicket(ticket.id))?.assigneeId === other || undefined, {
      description: 'assigned to Dina',
    });
    await h.send(agentInTopic(agent, thread, '/priority sky-high'));
    await waitInTopic(
      thread,
      (m) => textOf(m).includes('/priority low|normal|high|urgent'),
      'usage answered',
    );
    await h.send(agentInTopic(agent, thread, '/priority urgent'));
    await waitFor(
      () => h.api.forumTopics(FORUM).find((t) => t.threadId === thread && t.name.includes('🔥')),
      {
        description: 'name marks urgent',
      },
    );
    await waitInTopic(thread, (m) => textOf(m).includes('срочный'), 'priority post');
    await waitInTopic(
      thread,
      (m) => textOf(m).includes('Назначен') && textOf(m).includes('Dina'),
      'assignment post',
    );

    // An edit of an agent's topic message edits the customer's copy; the message keeps its original.
    const said = agentInTopic(agent, thread, 'Reboot the modem');
    await h.send(said);
    const copy = await waitFor(
      () => h.api.sentMessages(customer).find((m) => textOf(m).includes('Reboot the modem')),
      { description: 'reply delivered' },
    );
    await h.send(makeEditedMessageUpdate({ original: said.message as TgMessage, text: 'Reboot the router' }));
    const edit = await h.api.waitForCall(
      'editMessageText',
      (c) => c.params.chat_id === customer && c.params.message_id === copy.message_id,
    );
    expect(String(edit.params.text)).toContain('Reboot the router');
    const [row] = await h.query<{ body: string; original_body: string }>(
      "select body, original_body from messages where ticket_id = $1 and body like 'Reboot%'",
      [ticket.id],
    );
    expect(row).toEqual({ body: 'Reboot the router', original_body: 'Reboot the modem' });
  });

  it('mirrors a customer edit into the topic: the copy edited, the message keeps its history', async () => {
    const customer = newUserId();
    const said = makeTextUpdate({ from: { id: customer, first_name: 'Pavel' }, text: 'Order 118 is late' });
    await h.send(said);
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    const copy = await waitInTopic(thread, (m) => m.text === 'Order 118 is late', 'the copy');
    await h.send(makeEditedMessageUpdate({ original: said.message as TgMessage, text: 'Order 119 is late' }));
    // The copy itself says the new words (the bot's copy is its own message: editMessageText).
    await waitFor(
      () => inTopic(thread).find((m) => m.message_id === copy.message_id && m.text === 'Order 119 is late'),
      { description: 'the copy edited' },
    );
    const [row] = await h.query<{ body: string; original_body: string }>(
      "select body, original_body from messages where ticket_id = $1 and kind = 'customer'",
      [ticket.id],
    );
    expect(row).toEqual({ body: 'Order 119 is late', original_body: 'Order 118 is late' });

    // A photo's caption edited: the copy's caption follows, the photo stays.
    const photo = makePhotoUpdate({ from: { id: customer }, caption: 'the label' });
    await h.send(photo);
    const photoCopy = await waitInTopic(thread, (m) => m.caption === 'the label', 'the photo copy');
    await h.send(makeEditedMessageUpdate({ original: photo.message as TgMessage, text: 'the torn label' }));
    await waitFor(
      () =>
        inTopic(thread).find((m) => m.message_id === photoCopy.message_id && m.caption === 'the torn label'),
      { description: 'the copy’s caption edited' },
    );
    const edited = inTopic(thread).find((m) => m.message_id === photoCopy.message_id);
    expect(edited?.caption).toBe('the torn label');
    expect(edited?.photo).toBeDefined();
  });

  it('posts an "edited" line when the customer’s copy in the topic cannot be edited', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, first_name: 'Rita' }, text: 'First words' }));
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    await waitInTopic(thread, (m) => m.text === 'First words', 'the first copy');
    // The next copy is refused for good: there is no copy of it to edit.
    h.api.failNext('copyMessage', 1, {
      errorCode: 400,
      description: 'Bad Request: message to copy not found',
    });
    const said = makeTextUpdate({ from: { id: customer, first_name: 'Rita' }, text: 'Second words' });
    await h.send(said);
    await waitFor(
      async () =>
        (
          await h.query(
            "select 1 from telegram_outbox where ticket_id = $1 and in_topic and method = 'copyMessage' and status = 'failed'",
            [ticket.id],
          )
        ).length > 0 || undefined,
      { description: 'the copy failed' },
    );
    await h.send(
      makeEditedMessageUpdate({ original: said.message as TgMessage, text: 'Second, better words' }),
    );
    const line = await waitInTopic(thread, (m) => textOf(m).includes('Second, better words'), 'edited line');
    expect(textOf(line)).toContain('✏️');
    expect(textOf(line)).toContain('Rita');
  });

  it('tells the assignee of a new assignment by DM, but of customer messages only in the topic', async () => {
    const agent = await makeAgent(h, 'Zoya');
    await h.send(makeTextUpdate({ from: { id: agent, first_name: 'Zoya' }, text: '/start' }));
    await waitFor(() => h.api.sentMessages(agent)[0], { description: 'the agent’s /start answered' });
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, first_name: 'Kirill' }, text: 'Need an invoice' }));
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    const admin = newUserId();
    await h.uc.upsertUser({ id: admin, first_name: 'Boss' }, { adminIds: [admin] });
    const current = await h.uc.findTicket(ticket.id);
    await h.uc.updateTicket({ id: admin, role: 'admin' }, ticket.id, {
      assigneeId: agent,
      version: current?.version ?? 0,
    });
    // Assigned by someone else: the DM still says so (a muted group must not hide new work).
    await waitFor(() => h.api.sentMessages(agent).find((m) => textOf(m).includes(`#${ticket.id}`)), {
      description: 'the assignment DM',
    });
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Company name is ACME-7731' }));
    await waitInTopic(thread, (m) => m.text === 'Company name is ACME-7731', 'the message in the topic');
    // The event was handled (the topic has it): no DM about it was queued, now or later.
    const rows = await h.query(
      "select 1 from telegram_outbox where chat_id = $1 and dedupe_key like 'notify:%'",
      [agent],
    );
    expect(rows).toHaveLength(0);
    expect(JSON.stringify(h.api.sentMessages(agent))).not.toContain('ACME-7731');
  });

  it('refuses a non-agent politely and ignores service messages and General', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Login broken' }));
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    const stranger = newUserId();
    await h.send(
      makeTextUpdate({ from: { id: stranger }, chat: forumChat, threadId: thread, text: 'hi all' }),
    );
    await waitInTopic(thread, (m) => textOf(m).includes('только агенты'), 'refusal');
    // A reply in General carries a thread id without is_topic_message: not the topic.
    const agent = await makeAgent(h, 'Vera');
    await h.send(
      makeTextUpdate({
        from: { id: agent },
        chat: forumChat,
        threadId: thread,
        topicMessage: false,
        text: 'general chatter',
      }),
    );
    await h.send(
      makeServiceUpdate({
        from: { id: agent },
        chat: forumChat,
        threadId: thread,
        content: { forum_topic_closed: {} },
      }),
    );
    const rows = await h.query('select body from messages where ticket_id = $1', [ticket.id]);
    expect(JSON.stringify(rows)).not.toContain('general chatter');
    expect(JSON.stringify(rows)).not.toContain('hi all');
  });

  it('gives a Mini App ticket a topic too, with the message as a line', async () => {
    const customer = newUserId();
    await h.uc.upsertUser({ id: customer, first_name: 'Mini' });
    const created = await h.uc.createTicket(
      { id: customer, role: 'customer' },
      { subject: 'x'.repeat(150), body: 'From the Mini App' },
    );
    const thread = await topicOf(created.ticket.id);
    const name = String(h.api.callsOf('createForumTopic').at(-1)?.params.name);
    expect(name.startsWith(`#${created.ticket.id} `)).toBe(true);
    expect(name.length).toBeLessThanOrEqual(128);
    await waitInTopic(thread, (m) => textOf(m).includes('From the Mini App'), 'Mini App message mirrored');
  });

  it('mirrors Mini App replies, notes and status lines in the ticket order, each once', async () => {
    const agent = await makeAgent(h, 'Lena');
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Invoice is wrong' }));
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    const staff = { id: agent, role: 'agent' as const };
    await h.uc.postMessage(staff, ticket.id, { body: 'Checking the invoice' });
    await h.uc.postMessage(staff, ticket.id, { body: 'billing bug again', internal: true });
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Thanks' }));
    await waitInTopic(thread, (m) => m.text === 'Thanks', 'the last message');
    const lines = inTopic(thread)
      .filter((m) => m.from?.is_bot && !m.forum_topic_created)
      .map((m) => textOf(m));
    expect(lines.slice(1)).toEqual([
      'Invoice is wrong',
      '💬 <b>Lena</b> → клиенту: Checking the invoice',
      'ℹ️ Статус: <b>в работе</b> — Lena',
      '📝 <b>Заметка</b> — Lena: billing bug again',
      'Thanks',
    ]);
    // The same events handled again (a bus redelivery, the catch-up after a restart) queue nothing.
    const runtime = {
      publicUrl: undefined,
      webhookUrl: undefined,
      botUsername: undefined,
      topicsChatId: FORUM,
    };
    const [last] = await h.query<{ last_seq: number }>('select last_seq from tickets where id = $1', [
      ticket.id,
    ]);
    for (const seq of [1, 2, last?.last_seq ?? 0]) {
      expect(
        await mirrorTicket({ uc: h.uc, runtime }, { ticketId: ticket.id, seq, type: 'message.created' }),
      ).toBe(0);
    }
  });

  it('mirrors an agent’s Mini App files as the files, captioned with the line; an edit edits the caption', async () => {
    const agent = await makeAgent(h, 'Vera');
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Where is the receipt?' }));
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    const { createBlobStore } = await import('@tikethet/db');
    const png = Buffer.concat([
      Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
      Buffer.from([0, 0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0]),
      Buffer.alloc(200, 3),
    ]);
    const blob = await createBlobStore({ db: h.db.db }).put([png], { maxBytes: png.length });
    const staff = { id: agent, role: 'agent' as const };
    const posted = await h.uc.postMessage(
      staff,
      ticket.id,
      { body: 'Here it is' },
      {
        attachments: [
          { kind: 'photo', blobId: blob.id, size: blob.size, fileName: 'receipt.png', mimeType: 'image/png' },
        ],
      },
    );
    const photo = await waitInTopic(thread, (m) => (m.photo?.length ?? 0) > 0, 'the photo in the topic');
    expect(photo.caption).toContain('Here it is');
    expect(photo.caption).toContain('Vera');
    // Not also as a bare line.
    expect(inTopic(thread).filter((m) => textOf(m).includes('Here it is') && !m.photo)).toHaveLength(0);
    await h.uc.editMessage(staff, posted.message.id, 'Here it is, stamped');
    const edit = await h.api.waitForCall(
      'editMessageCaption',
      (c) => c.params.chat_id === FORUM && c.params.message_id === photo.message_id,
    );
    expect(String(edit.params.caption)).toContain('Here it is, stamped');
  });

  it('re-creates a topic a person deleted, with a recap, on the next message', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Topic will vanish' }));
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    await waitInTopic(thread, (m) => m.text === 'Topic will vanish', 'first copy');
    h.api.deleteTopicAsUser(FORUM, thread);
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Anyone there?' }));
    const again = await waitFor(
      async () => {
        const id = await topicOf(ticket.id);
        return id !== thread ? id : undefined;
      },
      { description: 'a new topic' },
    );
    await waitInTopic(again, (m) => m.text === 'Anyone there?', 'message in the new topic');
    const texts = inTopic(again).map((m) => textOf(m));
    expect(texts.findIndex((t) => t.includes('создана заново'))).toBeLessThan(texts.indexOf('Anyone there?'));
  });

  it('survives a bot without "Manage topics": the customer is served, the topic comes once the right is back', async () => {
    h.api.makeForum(FORUM, { canManageTopics: false });
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'No rights yet' }));
    const ticket = await ticketOf(customer);
    await waitFor(() => h.api.sentMessages(customer).find((m) => textOf(m).includes(`#${ticket.id}`)), {
      description: 'the customer told the ticket number',
    });
    await waitFor(
      async () =>
        (
          await h.query(
            "select 1 from telegram_outbox where ticket_id = $1 and in_topic and status = 'failed' and last_error like '%not enough rights%'",
            [ticket.id],
          )
        ).length > 0 || undefined,
      { description: 'the topic row failed with Telegram’s reason' },
    );
    h.api.makeForum(FORUM, { canManageTopics: true });
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'Still here' }));
    const thread = await topicOf(ticket.id);
    await waitInTopic(thread, (m) => m.text === 'Still here', 'the message in the topic');
  });

  it('waits out a 429 on createForumTopic, and makes one topic for 20 first messages at once', async () => {
    h.api.failNext('createForumTopic', 1, { retryAfter: 1 });
    const customer = newUserId();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.send(makeTextUpdate({ from: { id: customer }, text: `Burst ${i} about the same problem` })),
      ),
    );
    const ticket = await ticketOf(customer);
    const thread = await topicOf(ticket.id);
    const tickets = await h.query('select id from tickets where customer_id = $1', [customer]);
    expect(tickets).toHaveLength(1);
    const calls = h.api
      .callsOf('createForumTopic')
      .filter((c) => String(c.params.name).startsWith(`#${ticket.id} `));
    expect(calls.filter((c) => c.ok)).toHaveLength(1);
    expect(calls[0]?.errorCode).toBe(429);
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    await waitFor(
      () => inTopic(thread).filter((m) => m.text?.startsWith('Burst')).length === 20 || undefined,
      {
        description: 'all 20 in the topic',
        timeoutMs: 15_000,
      },
    );
    const order = inTopic(thread)
      .filter((m) => m.text?.startsWith('Burst'))
      .map((m) => m.text);
    expect(new Set(order).size).toBe(20);
  });
});

describe('agents group that turns on Topics (migrated to a forum supergroup)', () => {
  let h: Harness;
  const oldGroup = -4_100_200;
  const forum = -1_004_100_200;

  beforeAll(async () => {
    h = await startHarness(
      'polling',
      { AGENTS_CHAT_ID: String(oldGroup), BOT_RATE_GROUP_PER_MIN: '6000' },
      'topics_forum_migrated',
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it('switches to topic mode on the new id and answers from its topics', async () => {
    // Turning on Topics in a basic group makes it a new supergroup; Telegram says so in the old group.
    h.api.migrateChat(oldGroup, forum);
    h.api.makeForum(forum, { title: 'Support' });
    await h.send(
      makeServiceUpdate({
        from: { id: newUserId() },
        chat: { id: oldGroup, type: 'group' },
        content: { migrate_to_chat_id: forum },
      }),
    );
    await waitFor(() => h.api.callsOf('getChat').find((c) => c.params.chat_id === forum), {
      description: 'the new id asked',
    });
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'After Topics were turned on' }));
    const topic = await waitFor(() => h.api.forumTopics(forum)[0], { description: 'a topic in the forum' });
    await waitFor(
      () => h.api.topicMessages(forum, topic.threadId).find((m) => m.text === 'After Topics were turned on'),
      { description: 'the copy in the topic' },
    );
    // An agent's answer in the topic reaches the customer: the bot listens on the new id.
    const agent = await makeAgent(h, 'Mira');
    await h.send(
      makeTextUpdate({
        from: { id: agent, first_name: 'Mira' },
        chat: { id: forum, type: 'supergroup', title: 'Support', is_forum: true },
        threadId: topic.threadId,
        text: 'Answer from the new forum',
      }),
    );
    await waitFor(
      () => h.api.sentMessages(customer).find((m) => textOf(m).includes('Answer from the new forum')),
      { description: 'the answer delivered' },
    );
    expect(
      h.api.calls.filter((c) => c.method !== 'getChat' && c.params.chat_id === oldGroup && c.ok),
    ).toHaveLength(0);
  });
});

describe('agents group migrated to a supergroup', () => {
  let h: Harness;
  const oldGroup = -4_000_123;
  const supergroup = -1_004_000_123;

  beforeAll(async () => {
    h = await startHarness('polling', { AGENTS_CHAT_ID: String(oldGroup) }, 'topics_migrated');
  });
  afterAll(async () => {
    await h.close();
  });

  it('keeps posting new tickets with the new id', async () => {
    h.api.migrateChat(oldGroup, supergroup);
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer }, text: 'After the migration' }));
    await waitFor(
      () => h.api.sentMessages(supergroup).find((m) => textOf(m).includes('After the migration')),
      {
        description: 'post in the supergroup',
      },
    );
    const saved = await h.query<{ value: unknown }>(
      "select value from kv_state where key = 'bot:migrated-chats'",
    );
    expect(saved[0]?.value).toEqual({ [String(oldGroup)]: supergroup });
    // Telegram's service message says the same; the next post goes straight to the new id.
    await h.send(
      makeServiceUpdate({
        from: { id: customer },
        chat: { id: oldGroup, type: 'group' },
        content: { migrate_to_chat_id: supergroup },
      }),
    );
    const second = newUserId();
    const before = h.api.calls.filter((c) => c.params.chat_id === oldGroup).length;
    await h.send(makeTextUpdate({ from: { id: second }, text: 'Second after' }));
    await waitFor(() => h.api.sentMessages(supergroup).find((m) => textOf(m).includes('Second after')), {
      description: 'second post',
    });
    expect(h.api.calls.filter((c) => c.params.chat_id === oldGroup).length).toBe(before);
  });
});
