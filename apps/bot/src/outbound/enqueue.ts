import type { TransactionUseCases } from '@tikethet/db';
import type { InlineKeyboard } from '../links';

export interface SendOptions {
  replyMarkup?: { inline_keyboard: InlineKeyboard };
  replyTo?: number;
  /** The ticket this message stands for: once sent, a reply to it lands on that ticket. */
  ticketId?: number;
  /** The ticket message it delivers: its delivery state follows the send. */
  messageId?: number;
  dedupeKey?: string;
}

/** Queues an HTML sendMessage in the caller's transaction; the queue sends it after commit. */
export function enqueueText(
  tx: Pick<TransactionUseCases, 'enqueueTelegram'>,
  chatId: number,
  html: string,
  options: SendOptions = {},
): Promise<boolean> {
  const payload: Record<string, unknown> = {
    chat_id: chatId,
    text: html,
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
  };
  if (options.replyMarkup && options.replyMarkup.inline_keyboard.length > 0)
    payload.reply_markup = options.replyMarkup;
  if (options.replyTo !== undefined) {
    payload.reply_parameters = { message_id: options.replyTo, allow_sending_without_reply: true };
  }
  return tx.enqueueTelegram({
    chatId,
    method: 'sendMessage',
    payload,
    ticketId: options.ticketId ?? null,
    messageId: options.messageId ?? null,
    dedupeKey: options.dedupeKey ?? null,
  });
}

/** Queues the answer to a pressed inline button (not a message: no per-chat limit applies). */
export function enqueueCallbackAnswer(
  tx: Pick<TransactionUseCases, 'enqueueTelegram'>,
  chatId: number,
  callbackQueryId: string,
  text: string,
  showAlert = false,
): Promise<boolean> {
  return tx.enqueueTelegram({
    chatId,
    method: 'answerCallbackQuery',
    payload: { callback_query_id: callbackQueryId, text, show_alert: showAlert },
    dedupeKey: `cb:${callbackQueryId}`,
  });
}
