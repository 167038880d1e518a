import { type Actor, BODY_MAX, type IncomingAttachment, type Message, type Ticket } from '@tikethet/domain';
import { and, asc, eq, gt, ne } from 'drizzle-orm';
import type { Queryable } from '../client';
import { previewOf, toMessage, toTicket } from '../mappers';
import { attachments, messageColumns, messages, telegramAlbums, telegramMessages } from '../schema';
import { appendEvent, bumpTicket, lockTicket, type TxScope } from '../scope';
import { authorOf } from './authors';
import type { TelegramSource } from './message-writer';
import { findTelegramLink, linkTelegramMessage } from './telegram';

/**
 * Telegram albums. Telegram delivers an album as several updates sharing a `media_group_id`, each its own
 * message (the caption usually on the first); on the ticket it is ONE message holding every file in order.
 * Nothing waits in memory: the first item to be written becomes the message (the message writer records its
 * album row, `startAlbums`), every later item finds that row and appends its file (`joinAlbum`), each in its
 * own update's transaction — so it holds across bot instances, webhook and polling, redeliveries and restarts.
 */

/**
 * A second transaction wrote the album's first message while this one wrote another (items of one album
 * handled at once without the sender's lock): the update is retried (a serialization failure's code, so the
 * bot treats it as transient), and then joins the album the other one started.
 */
export class AlbumRaceError extends Error {
  readonly code = '40001';
  constructor() {
    super('an album item was written as a message of its own concurrently; retry to join it');
    this.name = 'AlbumRaceError';
  }
}

/** The writer's part: the album rows of drafts that are an album's first item, after their messages. */
export async function startAlbums(
  scope: TxScope,
  written: Array<{ draft: { telegram?: TelegramSource | undefined }; message: Pick<Message, 'id'> }>,
): Promise<void> {
  const rows = written.flatMap(({ draft, message }) => {
    const source = draft.telegram;
    if (!source?.album) return [];
    const { mediaGroupId, hasText } = source.album;
    return [{ chatId: source.chatId, mediaGroupId, messageId: message.id, hasText }];
  });
  if (rows.length === 0) return;
  const inserted = await scope.tx
    .insert(telegramAlbums)
    .values(rows)
    .onConflictDoNothing()
    .returning({ messageId: telegramAlbums.messageId });
  if (inserted.length !== rows.length) throw new AlbumRaceError();
}

/** One item of an album as the bot read it: its Telegram message, its files, its caption ('' for none). */
export interface AlbumItem {
  chatId: number;
  mediaGroupId: string;
  telegramMessageId: number;
  attachments: IncomingAttachment[];
  text: string;
}

export interface JoinedAlbum {
  message: Message;
  ticket: Ticket;
  /** false: this item was joined before (nothing changed). */
  joined: boolean;
}

/**
 * A later item of an album whose message exists: its files are appended to that message (placed by the item's
 * message_id), its Telegram message linked to it (a reply to any item reaches the ticket), and its caption
 * becomes the body when the body so far only named a file (a second caption is added after the first; the
 * ticket's preview follows while the message is its latest). One `message.updated` event tells clients. Null when the album has no message yet, or it is not the actor's.
 * Locks: the album row (its items take turns), then the ticket.
 */
export async function joinAlbum(scope: TxScope, actor: Actor, item: AlbumItem): Promise<JoinedAlbum | null> {
  const [album] = await scope.tx
    .select({ messageId: telegramAlbums.messageId, hasText: telegramAlbums.hasText })
    .from(telegramAlbums)
    .where(and(eq(telegramAlbums.chatId, item.chatId), eq(telegramAlbums.mediaGroupId, item.mediaGroupId)))
    .for('update');
  if (!album) return null;
  const [current] = await scope.tx
    .select(messageColumns)
    .from(messages)
    .where(eq(messages.id, album.messageId));
  if (!current || current.authorId !== actor.id) return null;
  const ticketRow = await lockTicket(scope, current.ticketId);
  if (!ticketRow) return null;
  if (await findTelegramLink(scope.tx, item.chatId, item.telegramMessageId)) {
    return { message: await loadMessage(scope, current), ticket: toTicket(ticketRow), joined: false };
  }
  if (item.attachments.length > 0) {
    await scope.tx
      .insert(attachments)
      .values(
        item.attachments.map((a) => ({ ...a, messageId: current.id, position: item.telegramMessageId })),
      );
  }
  let row = current;
  if (item.text) {
    const body = album.hasText ? `${current.body}\n\n${item.text}`.slice(0, BODY_MAX) : item.text;
    const [updated] = await scope.tx
      .update(messages)
      .set({ body })
      .where(eq(messages.id, current.id))
      .returning(messageColumns);
    if (updated) row = updated;
    if (!album.hasText) {
      await scope.tx
        .update(telegramAlbums)
        .set({ hasText: true })
        .where(
          and(eq(telegramAlbums.chatId, item.chatId), eq(telegramAlbums.mediaGroupId, item.mediaGroupId)),
        );
    }
  }
  await linkTelegramMessage(scope, {
    chatId: item.chatId,
    telegramMessageId: item.telegramMessageId,
    ticketId: current.ticketId,
    messageId: current.id,
  });
  // A caption that came after the first item: the ticket list previews it, while nothing newer was written.
  const preview = row.body !== current.body && current.kind !== 'note' && (await isLatest(scope, current));
  const bumped = await bumpTicket(
    scope,
    current.ticketId,
    1,
    preview ? { lastMessagePreview: previewOf(row.body) } : {},
  );
  const message = await loadMessage(scope, row);
  await appendEvent(scope, bumped, bumped.lastSeq, {
    type: 'message.updated',
    internal: message.internal,
    actorId: actor.id,
    data: { message },
  });
  return { message, ticket: toTicket(bumped), joined: true };
}

/** Whether no message the ticket list previews (anything but a note) came after this one. */
async function isLatest(scope: TxScope, message: { ticketId: number; seq: number }): Promise<boolean> {
  const later = await scope.tx
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(eq(messages.ticketId, message.ticketId), gt(messages.seq, message.seq), ne(messages.kind, 'note')),
    )
    .limit(1);
  return later.length === 0;
}

/** The message with its author and every file, as clients show it. */
async function loadMessage(scope: TxScope, row: Parameters<typeof toMessage>[0]): Promise<Message> {
  const files = await scope.tx.select().from(attachments).where(eq(attachments.messageId, row.id));
  return toMessage(row, await authorOf(scope.tx, row.authorId, scope), files);
}

/** The album a ticket message was written from, if any: its chat (where its items are). */
export async function findAlbumOf(q: Queryable, messageId: number): Promise<{ chatId: number } | null> {
  const rows = await q
    .select({ chatId: telegramAlbums.chatId })
    .from(telegramAlbums)
    .where(eq(telegramAlbums.messageId, messageId))
    .limit(1);
  return rows[0] ?? null;
}

/**
 * The Telegram messages of a ticket message in one chat, in order (an album's items as they stand when the
 * bot copies them, `copyMessages` wants them increasing).
 */
export async function telegramItemsOf(q: Queryable, messageId: number, chatId: number): Promise<number[]> {
  const rows = await q
    .select({ id: telegramMessages.telegramMessageId })
    .from(telegramMessages)
    .where(and(eq(telegramMessages.messageId, messageId), eq(telegramMessages.chatId, chatId)))
    .orderBy(asc(telegramMessages.telegramMessageId));
  return rows.map((r) => r.id);
}
