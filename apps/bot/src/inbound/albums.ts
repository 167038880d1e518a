import type { TelegramSource } from '@tikethet/db';
import type { Composer } from 'telegraf';
import type { Message } from 'telegraf/types';
import { attachmentsOf, bodyTextOf } from './attachments';
import { type BotContext, senderOf } from './context';

/** The album a Telegram message is an item of (its media_group_id), if any. */
export function mediaGroupOf(message: Message): string | undefined {
  const id = 'media_group_id' in message ? message.media_group_id : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Where a ticket message comes from in Telegram, for the message writer: the chat and message, and for an
 * album's item its group (the writer records the album, so the album's later items join this message).
 */
export function telegramSourceOf(message: Message): TelegramSource {
  const source: TelegramSource = { chatId: message.chat.id, telegramMessageId: message.message_id };
  const mediaGroupId = mediaGroupOf(message);
  if (mediaGroupId) source.album = { mediaGroupId, hasText: bodyTextOf(message) !== '' };
  return source;
}

/**
 * An album is ONE ticket message (docs/ARCHITECTURE.md §6a). The first middleware after the transaction's: an
 * item of an album that is on a ticket already joins that message (its file appended, its message linked, its
 * caption the body when there was none) and goes no further. The album's first item, and any item of an
 * album that has no message (it was held or refused), goes on through the usual routing, which writes it as
 * a message and records its album.
 */
export function registerAlbums(bot: Composer<BotContext>): void {
  bot.on('message', async (ctx, next) => {
    const s = senderOf(ctx);
    const message = ctx.message;
    const mediaGroupId = mediaGroupOf(message);
    if (!s || !mediaGroupId) return next();
    const joined = await s.tx.joinAlbum(s.actor, {
      chatId: message.chat.id,
      mediaGroupId,
      telegramMessageId: message.message_id,
      attachments: attachmentsOf(message),
      text: bodyTextOf(message),
    });
    if (!joined) return next();
  });
}
