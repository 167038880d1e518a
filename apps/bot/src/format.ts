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

/** A ticket subject from a message: its first non-empty line, bounded. */
export function subjectFrom(body: string, fallback: string): string {
  const line = body
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  return truncate(line ?? fallback, SUBJECT_MAX);
}

/** Telegram allows 4096 characters per message; leave room for the header. */
export const TELEGRAM_BODY_MAX = 3500;
