import { SUBJECT_MAX } from '@tikethet/domain';

/** Escapes user text for Telegram's HTML parse mode (the only one the bot uses). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to `max` characters (by code point), marking the cut. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * A ticket subject from a message: its first non-empty line (the whole text when it has none), bounded to
 * SUBJECT_MAX — cut after a whole word when there is one in the last third, so a long line does not end mid-word.
 */
export function subjectFrom(body: string): string {
  const line = body
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  const chars = [...(line ?? body.trim())];
  if (chars.length <= SUBJECT_MAX) return chars.join('');
  const head = chars.slice(0, SUBJECT_MAX - 1).join('');
  const space = head.lastIndexOf(' ');
  const cut = space >= (head.length * 2) / 3 ? head.slice(0, space).trimEnd() : head;
  return `${cut}…`;
}

/** Telegram allows 4096 characters per message; leave room for the header. */
export const TELEGRAM_BODY_MAX = 3500;
