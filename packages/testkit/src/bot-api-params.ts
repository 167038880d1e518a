import { badRequest } from './bot-api-error';
import type { TgChat } from './telegram-types';

export type Params = Record<string, unknown>;

export function optionalInt(params: Params, key: string): number | undefined {
  const value = params[key];
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n)) throw badRequest(`field "${key}" must be an Integer`);
  return n;
}

export function requireInt(params: Params, key: string, missing: string): number {
  const n = optionalInt(params, key);
  if (n === undefined) throw badRequest(missing);
  return n;
}

export function optionalString(params: Params, key: string): string | undefined {
  const value = params[key];
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String(value);
}

export function optionalBool(params: Params, key: string): boolean {
  const value = params[key];
  return value === true || value === 'true';
}

/** `chat_id` as Telegram accepts it: an integer or `@channelusername`. */
export function requireChatId(params: Params, key = 'chat_id'): number | string {
  const value = params[key];
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  if (typeof value === 'string' && value.startsWith('@')) return value;
  throw badRequest(value === undefined || value === '' ? 'chat_id is empty' : 'chat not found');
}

/** What Telegram would say the chat is, when the test never showed it a real one. */
export function synthesizeChat(chatId: number | string): TgChat {
  if (typeof chatId === 'string') return { id: -1001000000000, type: 'channel', username: chatId.slice(1) };
  if (chatId > 0) return { id: chatId, type: 'private', first_name: `User${chatId}` };
  if (chatId <= -1000000000000) return { id: chatId, type: 'supergroup', title: `Group ${chatId}` };
  return { id: chatId, type: 'group', title: `Group ${chatId}` };
}

/**
 * Inline buttons' `callback_data` may be at most 64 bytes; longer fails the whole call. A reply keyboard
 * (`keyboard`: rows of buttons with a text) that is not one is refused as Telegram refuses it.
 */
export function checkReplyMarkup(markup: unknown): void {
  if (typeof markup === 'object' && markup !== null && 'keyboard' in markup) {
    const rows = (markup as { keyboard: unknown }).keyboard;
    const button = (b: unknown) =>
      typeof b === 'string' ||
      (typeof b === 'object' && b !== null && typeof (b as { text?: unknown }).text === 'string');
    if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row) && row.every(button))) {
      throw badRequest("can't parse reply keyboard markup JSON object");
    }
    return;
  }
  if (typeof markup !== 'object' || markup === null || !('inline_keyboard' in markup)) return;
  const rows = (markup as { inline_keyboard: unknown }).inline_keyboard;
  if (!Array.isArray(rows))
    throw badRequest('can\'t parse inline keyboard button: field "inline_keyboard" must be an Array');
  for (const row of rows) {
    if (!Array.isArray(row))
      throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Array");
    for (const button of row as unknown[]) {
      const data = (button as { callback_data?: unknown }).callback_data;
      if (typeof data === 'string' && (data.length === 0 || Buffer.byteLength(data) > 64)) {
        throw badRequest('BUTTON_DATA_INVALID');
      }
    }
  }
}

export function isInlineKeyboard(markup: unknown): boolean {
  return typeof markup === 'object' && markup !== null && 'inline_keyboard' in markup;
}
