import { createBlobStore } from '@tikethet/db';
import type { IncomingAttachment } from '@tikethet/domain';
import {
  type MediaUpdateKind,
  makeMediaUpdate,
  makePhotoUpdate,
  makeTextUpdate,
  type TgMessage,
  waitFor,
} from '@tikethet/testkit';
import { type Harness, makeAgent, newUserId, startHarness, textOf } from './helpers/harness';

/** A 3x2 PNG and a small PDF: real signatures, so what the customer receives can be compared byte for byte. */
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  Buffer.from([0, 0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0]),
  Buffer.alloc(200, 3),
]);
const PDF = Buffer.from('%PDF-1.4\n%%EOF\n');

describe('agents’ files reach the customer as Telegram media', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('webhook', {}, 'media');
  });
  afterAll(async () => {
    await h.close();
  });

  /** A customer who wrote to the bot, their ticket, and an agent. */
  async function conversation() {
    const customer = newUserId();
    await h.send(makeTextUpdate({ from: { id: customer, language_code: 'en' }, text: 'Please help' }));
    const [ticket] = await h.query<{ id: number }>('select id from tickets where customer_id = $1', [
      customer,
    ]);
    return { customer, ticketId: ticket?.id ?? 0, agent: await makeAgent(h, 'Maria') };
  }

  /** Files as the API stores an upload: bytes in a blob, kind and size read from them. */
  async function uploaded(
    ...files: Array<{ bytes: Buffer } & Omit<IncomingAttachment, 'blobId' | 'size'>>
  ): Promise<IncomingAttachment[]> {
    const blobs = createBlobStore({ db: h.db.db });
    return Promise.all(
      files.map(async ({ bytes, ...file }) => {
        const blob = await blobs.put([bytes], { maxBytes: bytes.length });
        return { ...file, blobId: blob.id, size: blob.size };
      }),
    );
  }

  /** The first successful call of `method` to `chatId` (a call's outcome is known only once answered). */
  const okCall = (method: string, chatId: number) =>
    waitFor(() => h.api.callsOf(method).find((c) => c.params.chat_id === chatId && c.ok), {
      description: `${method} to ${chatId}`,
      // Behind the chat's earlier sends, one a second (Telegram's private-chat pace).
      timeoutMs: 15_000,
    });
  const sentTo = (chatId: number, method: string) =>
    h.api.callsOf(method).filter((c) => c.params.chat_id === chatId && c.ok);
  const deliveryOf = async (messageId: number) =>
    (await h.query<{ delivery: string }>('select delivery from messages where id = $1', [messageId]))[0]
      ?.delivery;

  it('a PNG and a PDF go as sendPhoto and sendDocument uploads; a later send reuses the file ids', async () => {
    const { customer, ticketId, agent } = await conversation();
    const files = await uploaded(
      { kind: 'photo', bytes: PNG, fileName: 'screen.png', mimeType: 'image/png', width: 3, height: 2 },
      { kind: 'document', bytes: PDF, fileName: 'invoice.pdf', mimeType: 'application/pdf' },
    );
    const reply = await h.uc.postMessage(
      { id: agent, role: 'agent' },
      ticketId,
      { body: 'Here you go' },
      { attachments: files },
    );
    const photo = await okCall('sendPhoto', customer);
    const doc = await okCall('sendDocument', customer);
    expect(photo.encoding).toBe('multipart');
    expect(photo.files.photo?.content.equals(PNG)).toBe(true);
    expect(photo.files.photo?.filename).toBe('screen.png');
    expect(doc.files.document?.content.equals(PDF)).toBe(true);
    // The text rides as the first file's caption; no separate text message.
    expect(photo.params.caption).toBe(`<b>#${ticketId}</b> · Maria:\nHere you go`);
    expect(
      sentTo(customer, 'sendMessage').filter((c) => String(c.params.text).includes('Here you go')),
    ).toEqual([]);
    await waitFor(async () => (await deliveryOf(reply.message.id)) === 'sent');

    // Each file's id is kept once its own send is answered.
    const kept = await waitFor(async () => {
      const rows = await h.query<{ id: number; telegram_file_id: string | null }>(
        'select id, telegram_file_id from attachments where message_id = $1 order by id',
        [reply.message.id],
      );
      return rows.every((r) => r.telegram_file_id !== null) ? rows : undefined;
    });
    const photoId = (photo.result as TgMessage).photo?.at(-1)?.file_id;
    expect(kept.map((k) => k.telegram_file_id)).toEqual([
      photoId,
      (doc.result as TgMessage).document?.file_id,
    ]);

    // The same attachments sent again (another chat): by file id, no upload.
    const again = newUserId();
    await h.uc.enqueueTelegram({
      chatId: again,
      method: 'sendPhoto',
      payload: { chat_id: again, photo: { attachment: kept[0]?.id } },
      dedupeKey: `again:${again}`,
    });
    const resent = await okCall('sendPhoto', again);
    expect(resent.encoding).not.toBe('multipart');
    expect(resent.params.photo).toBe(photoId);
  });

  it('several photos go as one album; a long text follows as its own message', async () => {
    const { customer, ticketId, agent } = await conversation();
    const files = await uploaded(
      { kind: 'photo', bytes: PNG, fileName: 'a.png', mimeType: 'image/png' },
      { kind: 'photo', bytes: PNG, fileName: 'b.png', mimeType: 'image/png' },
    );
    const long = 'x'.repeat(1500);
    await h.uc.postMessage({ id: agent, role: 'agent' }, ticketId, { body: long }, { attachments: files });
    const album = await okCall('sendMediaGroup', customer);
    expect((album.result as TgMessage[]).map((m) => Boolean(m.photo))).toEqual([true, true]);
    expect((album.params.media as Array<{ caption?: string }>).some((m) => m.caption)).toBe(false);
    await waitFor(() => h.api.sentMessages(customer).some((m) => textOf(m).includes(long)));
    const order = h.api.calls
      .filter(
        (c) => c.params.chat_id === customer && c.ok && ['sendMediaGroup', 'sendMessage'].includes(c.method),
      )
      .map((c) => c.method);
    expect(order.slice(-2)).toEqual(['sendMediaGroup', 'sendMessage']);
  });

  it('an edited reply edits the message that carries its text: the long text message, or the caption', async () => {
    const { customer, ticketId, agent } = await conversation();
    const actor = { id: agent, role: 'agent' as const };
    const [photo] = await uploaded({ kind: 'photo', bytes: PNG, fileName: 'a.png', mimeType: 'image/png' });
    const long = `${'y'.repeat(1500)} first`;
    const reply = await h.uc.postMessage(
      actor,
      ticketId,
      { body: long },
      { attachments: photo ? [photo] : [] },
    );
    await waitFor(async () => (await deliveryOf(reply.message.id)) === 'sent', { timeoutMs: 15_000 });
    const sentPhoto = (await okCall('sendPhoto', customer)).result as TgMessage;
    // The text follows the photo, a second later (the chat's pace): the delivery is "sent" at the photo.
    const sentText = await waitFor(() => h.api.sentMessages(customer).find((m) => textOf(m).includes(long)), {
      description: 'the long text sent',
      timeoutMs: 15_000,
    });
    expect(sentPhoto.caption).toBeUndefined();
    // Telegram answered; the queue records the message it made right after, and an edit needs that record.
    await waitFor(
      async () =>
        (
          await h.query("select 1 from telegram_outbox where dedupe_key = $1 and status = 'sent'", [
            `reply:${reply.message.id}:1`,
          ])
        ).length > 0,
    );

    const edited = `${'y'.repeat(1500)} second`;
    await h.uc.editMessage(actor, reply.message.id, edited);
    const textEdit = await okCall('editMessageText', customer);
    expect(textEdit.params.message_id).toBe(sentText.message_id);
    expect(String(textEdit.params.text)).toContain(edited);
    // The photo is left as it was: no caption put on it, no failed caption edit.
    expect(h.api.callsOf('editMessageCaption').filter((c) => c.params.chat_id === customer)).toEqual([]);

    // A short text rode as the photo's caption: the caption is what an edit changes.
    const [second] = await uploaded({ kind: 'photo', bytes: PNG, fileName: 'b.png', mimeType: 'image/png' });
    const short = await h.uc.postMessage(
      actor,
      ticketId,
      { body: 'short caption' },
      { attachments: second ? [second] : [] },
    );
    await waitFor(async () => (await deliveryOf(short.message.id)) === 'sent', { timeoutMs: 15_000 });
    const captioned = h.api.sentMessages(customer).find((m) => m.caption?.includes('short caption'));
    await h.uc.editMessage(actor, short.message.id, 'short caption, fixed');
    const captionEdit = await okCall('editMessageCaption', customer);
    expect(captionEdit.params.message_id).toBe(captioned?.message_id);
    expect(String(captionEdit.params.caption)).toContain('short caption, fixed');
  });

  it('a 429 on sendPhoto is waited out; a customer who blocked the bot shows a failed delivery', async () => {
    const first = await conversation();
    h.api.failNext('sendPhoto', 1, { errorCode: 429, retryAfter: 1 });
    const [png] = await uploaded({ kind: 'photo', bytes: PNG, fileName: 'p.png', mimeType: 'image/png' });
    const waited = await h.uc.postMessage(
      { id: first.agent, role: 'agent' },
      first.ticketId,
      { body: 'after a wait' },
      { attachments: png ? [png] : [] },
    );
    await waitFor(async () => (await deliveryOf(waited.message.id)) === 'sent', { timeoutMs: 15_000 });
    const tries = h.api.callsOf('sendPhoto').filter((c) => c.params.chat_id === first.customer);
    expect(tries.map((c) => c.errorCode ?? 200)).toEqual([429, 200]);
    expect(tries[1]?.files.photo?.content.equals(PNG)).toBe(true);

    const blocked = await conversation();
    h.api.blockChat(blocked.customer);
    const [doc] = await uploaded({
      kind: 'document',
      bytes: PDF,
      fileName: 'x.pdf',
      mimeType: 'application/pdf',
    });
    const lost = await h.uc.postMessage(
      { id: blocked.agent, role: 'agent' },
      blocked.ticketId,
      { body: 'will not arrive' },
      { attachments: doc ? [doc] : [] },
    );
    await waitFor(async () => (await deliveryOf(lost.message.id)) === 'failed', { timeoutMs: 15_000 });
  });

  it('an agent’s photo sent in Telegram reaches the customer as a photo (copyMessage), not as text', async () => {
    const { customer, ticketId, agent } = await conversation();
    await h.uc.claimTicket({ id: agent, role: 'agent' }, ticketId);
    // The agent replies in their DM to the bot's notification with a photo.
    const note = await h.uc.transaction(async (tx) =>
      tx.enqueueTelegram({
        chatId: agent,
        method: 'sendMessage',
        payload: { chat_id: agent, text: `#${ticketId}` },
        ticketId,
        dedupeKey: `dm:${ticketId}`,
      }),
    );
    expect(note).toBe(true);
    const dm = await okCall('sendMessage', agent);
    // Telegram answered; the bot links its message to the ticket right after, and a reply needs that link.
    const dmId = (dm.result as TgMessage).message_id;
    await waitFor(
      async () =>
        (
          await h.query('select 1 from telegram_messages where chat_id = $1 and telegram_message_id = $2', [
            agent,
            dmId,
          ])
        ).length > 0,
    );
    await h.send(makePhotoUpdate({ from: { id: agent }, replyTo: dm.result as TgMessage, caption: 'look' }));
    const copy = await okCall('copyMessage', customer);
    expect(copy.params.from_chat_id).toBe(agent);
    expect(String(copy.params.caption)).toContain('look');
    expect(
      h.api.sentMessages(customer).some((m) => textOf(m).includes('[Фото]') || textOf(m).includes('[Photo]')),
    ).toBe(false);
  });

  it.each<[MediaUpdateKind, string]>([
    ['voice', 'voice'],
    ['audio', 'audio'],
    ['video', 'video'],
    ['video_note', 'video_note'],
    ['sticker', 'sticker'],
    ['animation', 'animation'],
  ])(
    'a customer’s %s lands on the ticket and reaches the assignee as the media itself',
    async (kind, stored) => {
      const { customer, ticketId, agent } = await conversation();
      await h.send(
        makeTextUpdate({ from: { id: agent, first_name: 'Maria', language_code: 'en' }, text: '/start' }),
      );
      await h.uc.claimTicket({ id: agent, role: 'agent' }, ticketId);
      const update = makeMediaUpdate({ from: { id: customer, language_code: 'en' }, kind });
      await h.send(update);
      const rows = await waitFor(async () => {
        const found = await h.query<{ kind: string; telegram_file_id: string }>(
          'select a.kind, a.telegram_file_id from attachments a join messages m on m.id = a.message_id where m.ticket_id = $1',
          [ticketId],
        );
        return found.length > 0 ? found : undefined;
      });
      const media = (update.message as unknown as Record<string, { file_id: string }>)[kind];
      expect(rows).toEqual([{ kind: stored, telegram_file_id: media?.file_id }]);
      const copy = await okCall('copyMessage', agent);
      expect(copy.params).toMatchObject({ from_chat_id: customer, message_id: update.message?.message_id });
      // Captions where Telegram takes them; a sticker or a round video comes after a line naming the ticket.
      if (kind === 'sticker' || kind === 'video_note') {
        expect(copy.params.caption).toBeUndefined();
        await waitFor(() => h.api.sentMessages(agent).some((m) => textOf(m).includes(`#${ticketId}`)));
      } else expect(String(copy.params.caption)).toContain(`#${ticketId}`);
    },
  );
});
