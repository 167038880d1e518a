import type { OutboxItem, UseCases } from '@tikethet/db';
import type { Message } from '@tikethet/domain';
import type { SendHooks } from './worker';

/**
 * A Telegram album copied as an album (`copyMessages` keeps the grouping), once, after its last items came
 * in. Its items arrive as separate updates with no sign of which is the last, so the copy is queued when the
 * album's message is first handled but due only `settleMs` later (the queue's own scheduling), and its row
 * names the ticket message, not the items: when it is sent, the items then linked to that message in the
 * source chat are copied, in order.
 */
export interface AlbumRef {
  album: number;
}

const isAlbumRef = (value: unknown): value is AlbumRef =>
  typeof value === 'object' && value !== null && typeof (value as { album?: unknown }).album === 'number';

/** Telegram's default when BOT_ALBUM_SETTLE_MS is unset: an album's items come within a second or so. */
export const ALBUM_SETTLE_MS = 1500;

/** The queued copy of ticket message `messageId`'s album (its items in `fromChatId`) into `chatId`. */
export function albumCopy(
  chatId: number,
  fromChatId: number,
  messageId: number,
  settleMs: number | undefined,
  extra: Record<string, unknown> = {},
): Pick<OutboxItem, 'chatId' | 'method' | 'payload' | 'delayMs'> {
  const messageIds: AlbumRef = { album: messageId };
  return {
    chatId,
    method: 'copyMessages',
    payload: { chat_id: chatId, from_chat_id: fromChatId, message_ids: messageIds, ...extra },
    delayMs: settleMs ?? ALBUM_SETTLE_MS,
  };
}

/** The queue's hooks with an album's items filled in last before the call (ids in increasing order). */
export function withAlbums(hooks: SendHooks, uc: Pick<UseCases, 'telegramItemsOf'>): SendHooks {
  return {
    async prepare(row, call) {
      const payload = await hooks.prepare(row, call);
      const ref = payload.message_ids;
      if (!isAlbumRef(ref)) return payload;
      const ids = await uc.telegramItemsOf(ref.album, Number(payload.from_chat_id));
      return { ...payload, message_ids: ids };
    },
    recover: (row, sent, error) => hooks.recover(row, sent, error),
    ...(hooks.sent ? { sent: hooks.sent } : {}),
  };
}

/** The Telegram album a message came from through the bot (the chat its items are in), if it was one. */
export async function albumSourceOf(uc: Pick<UseCases, 'findAlbumOf'>, message: Message) {
  return message.via === 'bot' && message.attachments.length > 0 ? uc.findAlbumOf(message.id) : null;
}
