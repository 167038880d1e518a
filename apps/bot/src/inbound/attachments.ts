import { cleanText, type IncomingAttachment } from '@tikethet/domain';
import type { Message } from 'telegraf/types';

type Described = { file_id: string; file_unique_id?: string; file_size?: number };

function base(kind: IncomingAttachment['kind'], file: Described): IncomingAttachment {
  const a: IncomingAttachment = { kind, telegramFileId: cleanText(file.file_id) };
  if (file.file_unique_id) a.telegramFileUniqueId = cleanText(file.file_unique_id);
  if (file.file_size !== undefined) a.size = file.file_size;
  return a;
}

/** The files of a Telegram message as the ticket stores them (file id, type, size, name, dimensions). */
export function attachmentsOf(message: Message): IncomingAttachment[] {
  if ('photo' in message && message.photo.length > 0) {
    const largest = message.photo[message.photo.length - 1];
    if (!largest) return [];
    return [{ ...base('photo', largest), width: largest.width, height: largest.height }];
  }
  if ('animation' in message) {
    // A GIF: Telegram also sends it as a document; the ticket keeps it as what it is.
    const v = message.animation;
    const a = { ...base('animation', v), width: v.width, height: v.height };
    if (v.file_name) a.fileName = cleanText(v.file_name, 512);
    if (v.mime_type) a.mimeType = cleanText(v.mime_type, 255);
    return [a];
  }
  if ('document' in message) {
    const d = message.document;
    const a = base('document', d);
    if (d.file_name) a.fileName = cleanText(d.file_name, 512);
    if (d.mime_type) a.mimeType = cleanText(d.mime_type, 255);
    return [a];
  }
  if ('video' in message) {
    const v = message.video;
    const a = { ...base('video', v), width: v.width, height: v.height };
    if (v.mime_type) a.mimeType = cleanText(v.mime_type, 255);
    return [a];
  }
  if ('video_note' in message) {
    // A round video message: square, `length` on each side.
    const v = message.video_note;
    return [{ ...base('video_note', v), width: v.length, height: v.length }];
  }
  if ('voice' in message) return [base('voice', message.voice)];
  if ('audio' in message) return [base('audio', message.audio)];
  if ('sticker' in message) return [base('sticker', message.sticker)];
  return [];
}

/** Content a customer sends that a ticket cannot hold (as opposed to service messages, which need no answer). */
const UNSUPPORTED_CONTENT = ['location', 'venue', 'contact', 'poll', 'dice', 'game', 'story', 'invoice'];

/** Whether the message is content the bot cannot store (a location, a contact, a poll...). */
export function isUnsupportedContent(message: Message): boolean {
  return UNSUPPORTED_CONTENT.some((key) => key in message);
}

/** The text of a message: its text or its caption, as Telegram sent it. */
export function textOf(message: Message): string {
  if ('text' in message && typeof message.text === 'string') return message.text;
  // A contact that is not the sender's own (theirs is stored as their phone): kept as a line of text.
  if ('contact' in message && message.contact) {
    const { first_name, last_name, phone_number } = message.contact;
    const name = [first_name, last_name].filter(Boolean).join(' ');
    return `📇 ${name}: ${phone_number.startsWith('+') ? '' : '+'}${phone_number}`;
  }
  if ('caption' in message && typeof message.caption === 'string') return message.caption;
  return '';
}

/** Longest text the bot keeps of one Telegram message (UTF-16 units, as the schemas count). */
export const BODY_LIMIT = 4000;

/** The text a ticket keeps of a message: cleaned of what Postgres cannot store (domain text.ts), trimmed, bounded. */
export function bodyTextOf(message: Message): string {
  return cleanText(textOf(message).trim(), BODY_LIMIT).trim();
}
