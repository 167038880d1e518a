import type { Texts } from './i18n';

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

export function ratingKeyboard(ticketId: number): { inline_keyboard: InlineKeyboard } {
  return {
    inline_keyboard: [
      [1, 2, 3, 4, 5].map((n) => ({ text: `${n} ⭐`, callback_data: `rate:${ticketId}:${n}` })),
    ],
  };
}

export type { Texts };
