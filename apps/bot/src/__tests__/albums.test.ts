import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  makeContactUpdate,
  makePhotoUpdate,
  makeTextUpdate,
  type TgMessage,
  type TgUpdate,
  waitFor,
} from '@tikethet/testkit';
import { createBot } from '../create-bot';
import {
  type Harness,
  lastSent,
  makeAgent,
  newUserId,
  SECRET,
  startHarness,
  textOf,
  withContactStep,
} from './helpers/harness';

/** Where among the fake's calls the new-ticket post of `ticketId` went to `chatId` (-1: not yet). */
const postIndex = (h: Harness, chatId: number, ticketId: number) =>
  h.api.calls.findIndex(
    (c) =>
      c.method === 'sendMessage' &&
      c.params.chat_id === chatId &&
      String(c.params.text).includes(`#${ticketId}`),
  );

/**
 * A customer's album (several photos sent together) arrives as one update per photo sharing a media_group_id.
 * On the ticket it is ONE message with every file in order and the caption as its body; the agents' group
 * gets it once, as an album, after the new-ticket post; a reply to any of its photos reaches the ticket.
 */
describe('a Telegram album is one ticket message', () => {
  const agentsChat = -100_900_555;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      'webhook',
      { AGENTS_CHAT_ID: String(agentsChat), BOT_ALBUM_SETTLE_MS: '1000' },
      'albums',
    );
  });
  afterAll(async () => {
    await h.close();
  });

  let albums = 0;
  /**
   * The album's updates: three photos of one media group, the caption on the first. Their update_ids are
   * fixed (to deliver them again) and far apart: the fake numbers other updates after the highest it saw.
   */
  function albumOf(customer: number, caption = 'Screenshots of the error'): TgUpdate[] {
    albums += 1;
    return [1, 2, 3].map((n) => {
      return makePhotoUpdate({
        from: { id: customer, language_code: 'en' },
        mediaGroupId: `album-${customer}`,
        updateId: 960_000 + albums * 10_000 + n,
        ...(n === 1 ? { caption } : {}),
      });
    });
  }

  const messagesOf = (customer: number) =>
    h.query<{ id: number; ticket_id: number; body: string }>(
      `select m.id, m.ticket_id, m.body from messages m join tickets t on t.id = m.ticket_id
       where t.customer_id = $1 order by m.id`,
      [customer],
    );
  const filesOf = (messageId: number) =>
    h.query<{ telegram_file_id: string }>('select telegram_file_id from attachments where message_id = $1', [
      messageId,
    ]);
  const largest = (u: TgUpdate) => (u.message as TgMessage).photo?.at(-1)?.file_id;

  it('three photos with a caption: one message, three files in order, the caption as body; redelivery changes nothing', async () => {
    const customer = newUserId();
    const album = albumOf(customer);
    for (const update of album) await h.send(update);
    const [message, ...others] = await messagesOf(customer);
    expect(others).toHaveLength(0);
    expect(message?.body).toBe('Screenshots of the error');
    // As clients read it: the files in the album's order.
    const [listed] = await h.uc.listMessages({ id: customer, role: 'customer' }, message?.ticket_id ?? 0);
    expect(listed?.attachments.map((a) => a.kind)).toEqual(['photo', 'photo', 'photo']);
    const stored = await h.query<{ id: number; telegram_file_id: string }>(
      'select id, telegram_file_id from attachments where message_id = $1',
      [message?.id],
    );
    const byId = new Map(stored.map((f) => [f.id, f.telegram_file_id]));
    expect(listed?.attachments.map((a) => byId.get(a.id))).toEqual(album.map(largest));
    // The later photos were announced as updates of that message (clients show the new files live).
    const events = await h.query<{ type: string; files: number }>(
      `select type, jsonb_array_length(data->'message'->'attachments') as files from events
       where ticket_id = $1 and type like 'message.%' order by seq`,
      [message?.ticket_id],
    );
    expect(events).toEqual([
      { type: 'message.created', files: 1 },
      { type: 'message.updated', files: 2 },
      { type: 'message.updated', files: 3 },
    ]);

    // Telegram delivers the same updates again (a webhook retry): nothing changes.
    for (const update of album) await h.send(update);
    expect(await messagesOf(customer)).toHaveLength(1);
    expect(await filesOf(message?.id ?? 0)).toHaveLength(3);
    expect(
      await h.query('select count(*)::int as n from events where ticket_id = $1', [message?.ticket_id]),
    ).toEqual([{ n: events.length + 1 }]);
  });

  it('the agents’ group gets the album once, as one copyMessages after the post', async () => {
    const customer = newUserId();
    const album = albumOf(customer, 'My order arrived broken');
    for (const update of album) await h.send(update);
    const [{ ticket_id: ticketId } = { ticket_id: 0 }] = await messagesOf(customer);
    const copy = await waitFor(
      () =>
        h.api
          .callsOf('copyMessages')
          .find((c) => c.ok && c.params.chat_id === agentsChat && c.params.from_chat_id === customer),
      { description: 'the album copied into the agents’ group', timeoutMs: 15_000 },
    );
    expect(copy.params.message_ids).toEqual(album.map((u) => u.message?.message_id));
    const made = copy.result as Array<{ message_id: number }>;
    expect(made).toHaveLength(3);
    expect(new Set(made.map((m) => h.api.message(agentsChat, m.message_id)?.media_group_id)).size).toBe(1);
    const postAt = postIndex(h, agentsChat, ticketId);
    expect(postAt).toBeGreaterThanOrEqual(0);
    expect(h.api.calls.indexOf(copy)).toBeGreaterThan(postAt);
    // Each photo alone is never copied, and every copy stands for the ticket (an agent may reply to any).
    expect(
      h.api
        .callsOf('copyMessage')
        .filter((c) => c.params.chat_id === agentsChat && c.params.from_chat_id === customer),
    ).toHaveLength(0);
    await waitFor(
      async () =>
        (
          await h.query('select 1 from telegram_messages where chat_id = $1 and ticket_id = $2', [
            agentsChat,
            ticketId,
          ])
        ).length === 4,
      { description: 'the post and the three copies linked to the ticket' },
    );
    // A later message on the ticket (its events handled again by a catch-up) copies nothing more.
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'en' }, text: 'any news?' }));
    expect(
      h.api
        .callsOf('copyMessages')
        .filter((c) => c.params.chat_id === agentsChat && c.params.from_chat_id === customer),
    ).toHaveLength(1);
  });

  it('a reply to the album’s second photo lands on its ticket, not on the customer’s newer one', async () => {
    const customer = newUserId();
    const album = albumOf(customer);
    for (const update of album) await h.send(update);
    const [{ ticket_id: albumTicket } = { ticket_id: 0 }] = await messagesOf(customer);
    const newer = await h.uc.createTicket(
      { id: customer, role: 'customer' },
      { subject: 'Another question', body: 'Another question' },
    );
    const second = album[1]?.message as TgMessage;
    await h.send(
      makeTextUpdate({
        from: { id: customer, language_code: 'en' },
        text: 'the second photo shows it best',
        replyTo: second,
      }),
    );
    const bodies = await h.query<{ ticket_id: number }>('select ticket_id from messages where body = $1', [
      'the second photo shows it best',
    ]);
    expect(bodies).toEqual([{ ticket_id: albumTicket }]);
    expect(newer.ticket.id).not.toBe(albumTicket);
  });

  it('the assignee’s DM gets the ticket’s line, then the album once', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'en' }, text: 'My parcel is late' }));
    const [{ ticket_id: ticketId } = { ticket_id: 0 }] = await messagesOf(customer);
    const agent = await makeAgent(h, 'Maria');
    await h.send(makeTextUpdate({ from: { id: agent, language_code: 'en' }, text: '/start' }));
    await h.uc.claimTicket({ id: agent, role: 'agent' }, ticketId);
    const album = albumOf(customer, 'Here is the label');
    for (const update of album) await h.send(update);
    const copy = await waitFor(
      () => h.api.callsOf('copyMessages').find((c) => c.ok && c.params.chat_id === agent),
      { description: 'the album copied into the assignee’s DM', timeoutMs: 15_000 },
    );
    expect(copy.params.from_chat_id).toBe(customer);
    expect(copy.params.message_ids).toEqual(album.map((u) => u.message?.message_id));
    const lineAt = h.api.calls.findIndex(
      (c) =>
        c.method === 'sendMessage' &&
        c.params.chat_id === agent &&
        String(c.params.text).includes('Here is the label'),
    );
    expect(lineAt).toBeGreaterThanOrEqual(0);
    expect(h.api.calls.indexOf(copy)).toBeGreaterThan(lineAt);
    expect(h.api.callsOf('copyMessage').filter((c) => c.params.chat_id === agent)).toHaveLength(0);
  });

  it('an agent’s album answering the post is one agent message; the customer gets the line and the album', async () => {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'en' }, text: 'Which cable fits?' }));
    const [{ ticket_id: ticketId } = { ticket_id: 0 }] = await messagesOf(customer);
    const post = await lastSent(h, agentsChat, (m) => textOf(m).includes(`#${ticketId}`));
    await waitFor(
      async () =>
        (
          await h.query('select 1 from telegram_messages where chat_id = $1 and ticket_id = $2', [
            agentsChat,
            ticketId,
          ])
        ).length > 0,
      { description: 'the post linked to its ticket' },
    );
    const agent = await makeAgent(h, 'Pavel');
    const answer = [1, 2].map((n) =>
      makePhotoUpdate({
        from: { id: agent, language_code: 'en' },
        chat: post.chat,
        replyTo: post,
        mediaGroupId: `answer-${ticketId}`,
        ...(n === 1 ? { caption: 'These two' } : {}),
      }),
    );
    for (const update of answer) await h.send(update);
    const written = await h.query<{ id: number; kind: string; body: string; files: number }>(
      `select m.id, m.kind, m.body, (select count(*)::int from attachments a where a.message_id = m.id) as files
       from messages m where m.ticket_id = $1 and m.kind = 'agent'`,
      [ticketId],
    );
    expect(written).toEqual([{ id: expect.any(Number), kind: 'agent', body: 'These two', files: 2 }]);
    const copy = await waitFor(
      () => h.api.callsOf('copyMessages').find((c) => c.ok && c.params.chat_id === customer),
      { description: 'the album copied to the customer', timeoutMs: 15_000 },
    );
    expect(copy.params).toMatchObject({
      from_chat_id: agentsChat,
      message_ids: answer.map((u) => u.message?.message_id),
      remove_caption: true,
    });
    const line = h.api.calls.findIndex(
      (c) =>
        c.method === 'sendMessage' &&
        c.params.chat_id === customer &&
        String(c.params.text).includes('These two'),
    );
    expect(line).toBeGreaterThanOrEqual(0);
    expect(h.api.calls.indexOf(copy)).toBeGreaterThan(line);
    // The customer's copies stand for the reply: their answer to any photo lands on the ticket.
    await waitFor(
      async () =>
        (
          await h.query('select 1 from telegram_messages where chat_id = $1 and message_id = $2', [
            customer,
            written[0]?.id,
          ])
        ).length === 3,
      { description: 'the line and both copies linked to the reply' },
    );
  });

  it('with the contact step on, an album waits as one: asked once, then one ticket message with every photo', async () => {
    await withContactStep(h, async () => {
      const customer = newUserId();
      const album = albumOf(customer, 'Both sides of the box');
      for (const update of album) await h.send(update);
      expect(await messagesOf(customer)).toEqual([]);
      // One question for the album, not one per photo.
      expect(
        await h.query('select count(*)::int as n from telegram_outbox where chat_id = $1', [customer]),
      ).toEqual([{ n: 1 }]);
      await h.send(
        makeContactUpdate({
          from: { id: customer, language_code: 'en' },
          contact: { phone_number: '79990007777', first_name: 'Lena', user_id: customer },
        }),
      );
      const [message, ...others] = await messagesOf(customer);
      expect(others).toEqual([]);
      expect(message?.body).toBe('Both sides of the box');
      expect((await filesOf(message?.id ?? 0)).map((f) => f.telegram_file_id).sort()).toEqual(
        album.map(largest).sort(),
      );
      // Every photo stands for the message, and the agents get the album once after the post.
      const copy = await waitFor(
        () =>
          h.api
            .callsOf('copyMessages')
            .find((c) => c.ok && c.params.chat_id === agentsChat && c.params.from_chat_id === customer),
        { description: 'the held album copied to the agents', timeoutMs: 15_000 },
      );
      expect(copy.params.message_ids).toEqual(album.map((u) => u.message?.message_id));
    });
  });

  it('two bot instances handling items of one album at once still make one message', async () => {
    const customer = newUserId();
    const album = albumOf(customer, 'Two instances');
    const other = createBot({ env: h.env, db: h.db, bus: h.bus });
    const server = http.createServer((req, res) => void other.webhookHandler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const deliver = (url: string, update: TgUpdate) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
        body: JSON.stringify(update),
      }).then((r) => r.status);
    try {
      const statuses = await Promise.all(
        album.map((update, i) =>
          deliver(
            i % 2 === 0 ? `${h.baseUrl}/telegram/webhook` : `http://127.0.0.1:${port}/telegram/webhook`,
            update,
          ),
        ),
      );
      expect(statuses).toEqual([200, 200, 200]);
    } finally {
      server.close();
    }
    const messages = await messagesOf(customer);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.body).toBe('Two instances');
    expect(await filesOf(messages[0]?.id ?? 0)).toHaveLength(3);
    expect(
      await h.query(
        'select count(*)::int as n from telegram_messages where chat_id = $1 and message_id = $2',
        [customer, messages[0]?.id],
      ),
    ).toEqual([{ n: 3 }]);
  });
});

/** A ticket opened in the Mini App with files: the agents' post is followed by the files themselves. */
describe('a Mini App ticket’s files follow the agents’ post', () => {
  const agentsChat = -100_900_556;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('webhook', { AGENTS_CHAT_ID: String(agentsChat) }, 'miniapp_post_files');
  });
  afterAll(async () => {
    await h.close();
  });

  const PNG = Buffer.concat([
    Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
    Buffer.from([0, 0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0]),
    Buffer.alloc(200, 3),
  ]);
  const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');

  it('a PNG and a PDF go to the group as sendPhoto and sendDocument after the post', async () => {
    const { createBlobStore } = await import('@tikethet/db');
    const blobs = createBlobStore({ db: h.db.db });
    const png = await blobs.put([PNG], { maxBytes: PNG.length });
    const pdf = await blobs.put([PDF], { maxBytes: PDF.length });
    const customer = newUserId();
    await h.uc.upsertUser({ id: customer, first_name: 'Olga', language_code: 'en' });
    const created = await h.uc.createTicket(
      { id: customer, role: 'customer' },
      { subject: 'Broken screen', body: 'See the photo and the receipt' },
      {
        attachments: [
          { kind: 'photo', blobId: png.id, size: png.size, fileName: 'screen.png', mimeType: 'image/png' },
          {
            kind: 'document',
            blobId: pdf.id,
            size: pdf.size,
            fileName: 'receipt.pdf',
            mimeType: 'application/pdf',
          },
        ],
      },
    );
    const ticketId = created.ticket.id;
    const okTo = (method: string) =>
      waitFor(() => h.api.callsOf(method).find((c) => c.ok && c.params.chat_id === agentsChat), {
        description: `${method} to the agents’ group`,
        timeoutMs: 15_000,
      });
    const photo = await okTo('sendPhoto');
    const document = await okTo('sendDocument');
    expect(photo.encoding).toBe('multipart');
    expect((document.result as TgMessage).document?.file_name).toBe('receipt.pdf');
    const postAt = postIndex(h, agentsChat, ticketId);
    expect(postAt).toBeGreaterThanOrEqual(0);
    expect(h.api.calls.indexOf(photo)).toBeGreaterThan(postAt);
    expect(h.api.calls.indexOf(document)).toBeGreaterThan(h.api.calls.indexOf(photo));
    expect(textOf(h.api.calls[postAt]?.result as TgMessage)).toContain('Broken screen');
    // The uploads' file ids are kept: a later send reuses them instead of the bytes.
    await waitFor(
      async () =>
        (
          await h.query<{ n: number }>(
            `select count(*)::int as n from attachments a join messages m on m.id = a.message_id
             where m.ticket_id = $1 and a.telegram_file_id is not null`,
            [ticketId],
          )
        )[0]?.n === 2,
      { description: 'the file ids kept' },
    );
  });
});

/** Forum mode, over long polling: the album reaches the ticket's topic once, as an album, after the card. */
describe('an album in the ticket’s topic', () => {
  const forum = -100_900_557;
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(
      'polling',
      { AGENTS_CHAT_ID: String(forum), BOT_RATE_GROUP_PER_MIN: '6000', BOT_ALBUM_SETTLE_MS: '1000' },
      'albums_topics',
      { beforeStart: (api) => api.makeForum(forum, { title: 'Support' }) },
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it('a customer’s album opening a ticket is one message, copied into its topic once', async () => {
    const customer = newUserId();
    const album = [1, 2, 3].map((n) =>
      makePhotoUpdate({
        from: { id: customer, first_name: 'Olga' },
        mediaGroupId: `topic-album-${customer}`,
        ...(n === 1 ? { caption: 'The damage' } : {}),
      }),
    );
    for (const update of album) await h.send(update);
    const [ticket] = await h.query<{ id: number }>('select id from tickets where customer_id = $1', [
      customer,
    ]);
    const ticketId = ticket?.id ?? 0;
    expect(await h.query('select body from messages where ticket_id = $1', [ticketId])).toEqual([
      { body: 'The damage' },
    ]);
    const thread = await waitFor(
      async () =>
        (
          await h.query<{ thread_id: number | null }>(
            'select thread_id from ticket_topics where ticket_id = $1 and thread_id is not null',
            [ticketId],
          )
        )[0]?.thread_id ?? undefined,
      { description: 'the ticket’s topic' },
    );
    await waitFor(() => h.api.topicMessages(forum, thread).filter((m) => m.photo).length === 3, {
      description: 'three photos in the topic',
      timeoutMs: 15_000,
    });
    const inTopic = h.api.topicMessages(forum, thread);
    const photos = inTopic.filter((m) => m.photo);
    expect(new Set(photos.map((m) => m.media_group_id)).size).toBe(1);
    expect(photos[0]?.caption).toBe('The damage');
    expect(inTopic.findIndex((m) => textOf(m).includes(`#${ticketId}`))).toBeLessThan(
      inTopic.indexOf(photos[0] as TgMessage),
    );
    const copies = h.api.callsOf('copyMessages').filter((c) => c.params.chat_id === forum);
    expect(copies).toHaveLength(1);
    expect(copies[0]?.params).toMatchObject({ from_chat_id: customer, message_thread_id: thread });
    expect(h.api.callsOf('copyMessage').filter((c) => c.params.chat_id === forum)).toHaveLength(0);
  });
});
