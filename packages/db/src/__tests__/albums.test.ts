import type { Actor, IncomingAttachment } from '@tikethet/domain';
import { AlbumRaceError } from '../use-cases/albums';
import { isTransientFailure } from '../use-cases/dead-letters';
import { type DbFixture, makeUser, setupDb } from './helpers';

let f: DbFixture;
beforeAll(async () => {
  f = await setupDb('albums', 10);
});
afterAll(async () => {
  await f.close();
});

const photo = (fileId: string): IncomingAttachment => ({ kind: 'photo', telegramFileId: fileId });

/** A customer's ticket, and the album's first item posted on it through the message writer. */
async function startedAlbum(
  customer: Actor,
  chatId: number,
  group: string,
  first: { id: number; text?: string },
) {
  const { ticket } = await f.uc.createTicket(customer, { subject: 'Broken', body: 'it broke' });
  const posted = await f.uc.transaction((tx) =>
    tx.postMessage(
      customer,
      ticket.id,
      { body: first.text ?? '[Photo]' },
      {
        via: 'bot',
        attachments: [photo(`f${first.id}`)],
        telegram: {
          chatId,
          telegramMessageId: first.id,
          album: { mediaGroupId: group, hasText: first.text !== undefined },
        },
      },
    ),
  );
  return { ticket, message: posted.message };
}

const item = (chatId: number, group: string, id: number, text = '') => ({
  chatId,
  mediaGroupId: group,
  telegramMessageId: id,
  attachments: [photo(`f${id}`)],
  text,
});

describe('albums', () => {
  it('later items join the first one’s message, in the album’s order, whatever order they come in', async () => {
    const customer = await makeUser(f.uc);
    const chatId = customer.id;
    // The second item is written first (no caption); the third, then the captioned first, join it.
    const { ticket, message } = await startedAlbum(customer, chatId, 'g1', { id: 102 });
    const third = await f.uc.joinAlbum(customer, item(chatId, 'g1', 103));
    const first = await f.uc.joinAlbum(customer, item(chatId, 'g1', 101, 'All three'));
    expect(third?.joined).toBe(true);
    expect(first?.message.id).toBe(message.id);
    expect(first?.message.body).toBe('All three');
    // The ticket list previews the caption, not the line that named the first photo to arrive.
    expect((await f.uc.findTicket(ticket.id))?.lastMessagePreview).toBe('All three');
    const [listed] = await f.uc.listMessages(customer, ticket.id, { after: String(message.seq - 1) });
    const files = await f.client.db.$client.query<{ id: number; telegram_file_id: string }>(
      'select id, telegram_file_id from attachments where message_id = $1',
      [message.id],
    );
    const fileOf = new Map(files.rows.map((r) => [Number(r.id), r.telegram_file_id]));
    expect(listed?.attachments.map((a) => fileOf.get(a.id))).toEqual(['f101', 'f102', 'f103']);
    // Every item's Telegram message stands for the message.
    for (const id of [101, 102, 103]) {
      expect((await f.uc.findTelegramLink(chatId, id))?.messageId).toBe(message.id);
    }
    expect(await f.uc.telegramItemsOf(message.id, chatId)).toEqual([101, 102, 103]);
    // One message.updated per join, carrying the files so far.
    const events = await f.uc.readEvents(ticket.id, message.seq, 10);
    expect(
      events.map((e) => [e.type, e.type === 'message.updated' ? e.data.message.attachments.length : 0]),
    ).toEqual([
      ['message.updated', 2],
      ['message.updated', 3],
    ]);
  });

  it('an item joined before changes nothing; a second caption follows the first; others cannot join', async () => {
    const customer = await makeUser(f.uc);
    const stranger = await makeUser(f.uc);
    const chatId = customer.id;
    const { ticket, message } = await startedAlbum(customer, chatId, 'g2', { id: 201, text: 'Front' });
    await f.uc.joinAlbum(customer, item(chatId, 'g2', 202, 'Back'));
    const again = await f.uc.joinAlbum(customer, item(chatId, 'g2', 202, 'Back'));
    expect(again?.joined).toBe(false);
    expect(again?.message.body).toBe('Front\n\nBack');
    expect(again?.message.attachments).toHaveLength(2);
    expect(await f.uc.joinAlbum(stranger, item(chatId, 'g2', 203))).toBeNull();
    expect(await f.uc.joinAlbum(customer, item(chatId, 'unknown', 204))).toBeNull();
    expect((await f.uc.findTicket(ticket.id))?.lastSeq).toBe(message.seq + 1);
  });

  it('two first items written at once: one becomes the message, the other fails as a retryable conflict', async () => {
    const customer = await makeUser(f.uc);
    const chatId = customer.id;
    const { ticket } = await f.uc.createTicket(customer, { subject: 'Race', body: 'race' });
    const firstItem = (id: number) =>
      f.uc.transaction((tx) =>
        tx.postMessage(
          customer,
          ticket.id,
          { body: '[Photo]' },
          {
            via: 'bot',
            attachments: [photo(`f${id}`)],
            telegram: { chatId, telegramMessageId: id, album: { mediaGroupId: 'g3', hasText: false } },
          },
        ),
      );
    const outcomes = await Promise.allSettled([firstItem(301), firstItem(302)]);
    const failed = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toBeInstanceOf(AlbumRaceError);
    expect(isTransientFailure(failed[0])).toBe(true);
    // Retried, the loser joins the winner's message.
    const loser = outcomes[0]?.status === 'rejected' ? 301 : 302;
    const joined = await f.uc.joinAlbum(customer, item(chatId, 'g3', loser));
    expect(joined?.message.attachments).toHaveLength(2);
    const rows = await f.client.db.$client.query('select 1 from messages where ticket_id = $1', [ticket.id]);
    expect(rows.rowCount).toBe(2);
  });
});
