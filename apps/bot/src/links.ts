import { displayName, type Language, type User } from '@tikethet/domain';
import { type Texts, t } from './i18n';
import type { BotRuntime } from './runtime';

/**
 * The Mini App URL, optionally opening one ticket. For a `web_app` button Telegram passes no start_param,
 * so the ticket travels as the `tgWebAppStartParam` query parameter, which the Mini App reads like the
 * `startapp` deep link (`ticket_<id>`). Telegram appends its launch data in the `#` hash, untouched.
 */
export function miniAppUrl(publicUrl: string, ticketId?: number): string {
  const url = new URL(publicUrl);
  if (ticketId !== undefined) url.searchParams.set('tgWebAppStartParam', `ticket_${ticketId}`);
  return url.toString();
}

export interface InlineButton {
  text: string;
  web_app?: { url: string };
  url?: string;
  callback_data?: string;
}

export type InlineKeyboard = InlineButton[][];

/** A button into the Mini App: `web_app` in private chats (https only), else a t.me link through /start. */
export function openButton(
  text: string,
  options: { publicUrl: string | undefined; ticketId?: number; privateChat: boolean; botUsername?: string },
): InlineButton | undefined {
  const { publicUrl, ticketId, privateChat, botUsername } = options;
  if (privateChat && publicUrl?.startsWith('https://')) {
    return { text, web_app: { url: miniAppUrl(publicUrl, ticketId) } };
  }
  if (botUsername) {
    const payload = ticketId === undefined ? '' : `?start=ticket_${ticketId}`;
    return { text, url: `https://t.me/${botUsername}${payload}` };
  }
  return undefined;
}

export function keyboard(rows: Array<Array<InlineButton | undefined>>): { inline_keyboard: InlineKeyboard } {
  return {
    inline_keyboard: rows
      .map((r) => r.filter((b): b is InlineButton => b !== undefined))
      .filter((r) => r.length > 0),
  };
}

/** A one-time keyboard whose one button shares the customer's own contact (`request_contact`). */
export function contactKeyboard(texts: Texts) {
  return {
    keyboard: [[{ text: texts.shareContact, request_contact: true }]],
    one_time_keyboard: true,
    resize_keyboard: true,
  };
}

/** The one button under a customer's message about a ticket: into that ticket in the Mini App. */
export function openTicketKeyboard(runtime: BotRuntime, texts: Texts, ticketId: number) {
  return keyboard([
    [openButton(texts.openTicket(ticketId), { publicUrl: runtime.publicUrl, ticketId, privateChat: true })],
  ]);
}

/**
 * The buttons under a new-ticket post for agents: «Взять» / Take — or, once someone has, who did — and
 * Open (a web_app button in an agent's DM, a link through /start in the agents' group).
 */
export function agentPostKeyboard(
  texts: Texts,
  runtime: BotRuntime,
  ticket: { id: number; privateChat: boolean; assignee?: string },
): { inline_keyboard: InlineKeyboard } {
  const { id, privateChat, assignee } = ticket;
  return keyboard([
    [
      { text: assignee === undefined ? texts.take : texts.assignee(assignee), callback_data: `take:${id}` },
      agentOpenButton(texts, runtime, id, privateChat),
    ],
  ]);
}

/** A new-ticket post the bot has sent, and how it was written (its chat's language, DM or group). */
export interface SentPost {
  chatId: number;
  telegramMessageId: number;
  language: Language;
  privateChat: boolean;
}

/**
 * The edit of a sent new-ticket post that names who has the ticket now (Take again when nobody does). Its key,
 * `post:<chat>:<message>:<assignee>`, is the same for a Take pressed in Telegram and the event-driven refresh,
 * so an edit that would change nothing is not queued twice (Telegram refuses it).
 */
export function agentPostEdit(
  runtime: BotRuntime,
  post: SentPost,
  ticketId: number,
  assignee: Pick<User, 'id' | 'firstName' | 'lastName' | 'username'> | null,
) {
  return {
    dedupeKey: `post:${post.chatId}:${post.telegramMessageId}:${assignee?.id ?? 'none'}`,
    replyMarkup: agentPostKeyboard(t(post.language), runtime, {
      id: ticketId,
      privateChat: post.privateChat,
      ...(assignee ? { assignee: displayName(assignee) } : {}),
    }),
  };
}

/** An agent's «Открыть» / Open into a ticket: a web_app button in their DM, a link through /start in a group. */
function agentOpenButton(texts: Texts, runtime: BotRuntime, ticketId: number, privateChat: boolean) {
  return openButton(texts.open, {
    publicUrl: runtime.publicUrl,
    ticketId,
    privateChat,
    ...(runtime.botUsername ? { botUsername: runtime.botUsername } : {}),
  });
}

/** The one button under a DM to an agent about a ticket (a customer's new message, an assignment): Open. */
export function agentDmKeyboard(texts: Texts, runtime: BotRuntime, ticketId: number, privateChat = true) {
  return keyboard([[agentOpenButton(texts, runtime, ticketId, privateChat)]]);
}

export function ratingKeyboard(ticketId: number): { inline_keyboard: InlineKeyboard } {
  return {
    inline_keyboard: [
      [1, 2, 3, 4, 5].map((n) => ({ text: `${n} ⭐`, callback_data: `rate:${ticketId}:${n}` })),
    ],
  };
}

export type { Texts };
