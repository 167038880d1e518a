import { cutText, cutUnits, SUBJECT_MAX } from '@tikethet/domain';

/** Escapes user text for Telegram's HTML parse mode (the only one the bot uses). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts text to `max` UTF-16 code units (what Telegram's and the schemas' limits count), marking the cut. */
export const truncate = cutText;

/**
 * A ticket subject from a message: its first non-empty line (the whole text when it has none), bounded to
 * SUBJECT_MAX UTF-16 units (as the schema counts) — cut after a whole word when there is one in the last third, so a long line does not end mid-word.
 */
export function subjectFrom(body: string): string {
  const line = body
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0);
  const whole = line ?? body.trim();
  if (whole.length <= SUBJECT_MAX) return whole;
  const head = cutUnits(whole, SUBJECT_MAX - 1);
  const space = head.lastIndexOf(' ');
  const cut = space >= (head.length * 2) / 3 ? head.slice(0, space).trimEnd() : head;
  return `${cut}…`;
}

/** Telegram allows 4096 characters per message; leave room for the header. */
export const TELEGRAM_BODY_MAX = 3500;
