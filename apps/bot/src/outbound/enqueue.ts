import type { TransactionUseCases } from '@tikethet/db';
import type { InlineKeyboard } from '../links';

/** A reply keyboard under the input field (`request_contact`), or its removal. */
export type ReplyKeyboard =
  | {
      keyboard: Array<Array<{ text: string; request_contact?: boolean }>>;
      one_time_keyboard?: boolean;
      resize_keyboard?: boolean;
    }
  | { remove_keyboard: true };

export interface SendOptions {
  replyMarkup?: { inline_keyboard: InlineKeyboard } | ReplyKeyboard;
  replyTo?: number;
  /** The ticket this message stands for: once sent, a reply to it lands on that ticket. */
  ticketId?: number;
  /** The ticket message it delivers: its delivery state follows the send. */
  messageId?: number;
  dedupeKey?: string;
  /** A forum topic the message goes to (an answer in the topic a command was written in). */
  threadId?: number;
}

/**
 * Queues a copyMessage of a Telegram message (a customer's photo, an agent's voice note: media stays media)
 * in the caller's transaction, with an HTML caption in place of its own when one is given.
 */
export function enqueueCopy(
  tx: Pick<TransactionUseCases, 'enqueueTelegram'>,
  chatId: number,
  from: { chatId: number; telegramMessageId: number },
  options: SendOptions & { captionHtml?: string } = {},
): Promise<boolean> {
  const payload: Record<string, unknown> = {
    chat_id: chatId,
    from_chat_id: from.chatId,
    message_id: from.telegramMessageId,
  };
  if (options.captionHtml !== undefined) {
    payload.caption = options.captionHtml;
    payload.parse_mode = 'HTML';
  }
  if (options.replyMarkup) payload.reply_markup = options.replyMarkup;
  return tx.enqueueTelegram({
    chatId,
    method: 'copyMessage',
    payload,
    ticketId: options.ticketId,
    messageId: options.messageId,
    dedupeKey: options.dedupeKey,
  });
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
  const markup = options.replyMarkup;
  if (markup && (!('inline_keyboard' in markup) || markup.inline_keyboard.length > 0))
    payload.reply_markup = markup;
  if (options.threadId !== undefined) payload.message_thread_id = options.threadId;
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

/** A message the bot has sent: its chat and Telegram's id for it. */
export interface SentMessage {
  chatId: number;
  telegramMessageId: number;
}

/**
 * Queues an edit of the bot's own sent message: its text and buttons (editMessageText), or only its buttons
 * (editMessageReplyMarkup) when `html` is absent.
 */
export function enqueueEdit(
  tx: Pick<TransactionUseCases, 'enqueueTelegram'>,
  message: SentMessage,
  edit: { html?: string; replyMarkup: { inline_keyboard: InlineKeyboard }; dedupeKey?: string },
): Promise<boolean> {
  const target = {
    chat_id: message.chatId,
    message_id: message.telegramMessageId,
    reply_markup: edit.replyMarkup,
  };
  return tx.enqueueTelegram({
    chatId: message.chatId,
    dedupeKey: edit.dedupeKey ?? null,
    ...(edit.html === undefined
      ? { method: 'editMessageReplyMarkup', payload: target }
      : {
          method: 'editMessageText',
          payload: {
            ...target,
            text: edit.html,
            parse_mode: 'HTML',
            link_preview_options: { is_disabled: true },
          },
        }),
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
