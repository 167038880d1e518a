import type { BlobStore, ClaimedOutboxRow, UseCases } from '@tikethet/db';
import { type Attachment, CAPTION_MAX } from '@tikethet/domain';
import type { SendHooks } from './worker';

/**
 * Agents' files to a customer's chat, as Telegram's own kinds. The queue's rows name attachments, not bytes
 * (`{ attachment: <id> }` where the Bot API takes a file); when a row is sent, each is replaced by the
 * attachment's Telegram file id if Telegram already has it, else by its bytes streamed from storage as a
 * multipart upload, after which the file id Telegram answers with is kept for every later send.
 */
export interface AttachmentRef {
  attachment: number;
}

/** Telegram refuses photos over 10 MB as photos; they go as documents. */
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;

type SendKind = 'photo' | 'document' | 'voice' | 'video' | 'audio' | 'animation' | 'sticker' | 'video_note';

export const METHOD_OF: Record<SendKind, string> = {
  photo: 'sendPhoto',
  document: 'sendDocument',
  voice: 'sendVoice',
  video: 'sendVideo',
  audio: 'sendAudio',
  animation: 'sendAnimation',
  sticker: 'sendSticker',
  video_note: 'sendVideoNote',
};
/** The parameter each method takes its file in is named after the kind. */
const FILE_PARAMS = new Set<string>(Object.keys(METHOD_OF));

/** How a file travels: its own kind where Telegram has one, a document otherwise. */
function sendKindOf(file: Attachment): SendKind {
  if (file.kind === 'photo') return (file.size ?? 0) > PHOTO_MAX_BYTES ? 'document' : 'photo';
  if (file.kind === 'file') return 'document';
  return file.kind;
}

/** Which files may share an album: photos with videos, documents with documents, audio with audio. */
function albumOf(kind: SendKind): 'visual' | 'document' | 'audio' | null {
  if (kind === 'photo' || kind === 'video') return 'visual';
  if (kind === 'document' || kind === 'audio') return kind;
  return null;
}

export interface PlannedSend {
  method: string;
  payload: Record<string, unknown>;
}

/**
 * The sends that carry `files` (and `html`, the reply's text) to `chatId`: a file alone goes by its kind's
 * method, several that may share an album by sendMediaGroup (up to 10 a group). The text is the first send's
 * caption when it fits Telegram's 1024 characters, else a message of its own after the files; with no text
 * (files that follow a post saying what they are) the files go bare. The buttons ride on the last send that
 * can carry them (an album cannot).
 */
export function planFileSends(
  chatId: number,
  files: Attachment[],
  html: string,
  replyMarkup: unknown,
): PlannedSend[] {
  const groups: Array<{ album: string | null; items: Array<{ kind: SendKind; ref: AttachmentRef }> }> = [];
  for (const file of files) {
    const kind = sendKindOf(file);
    const album = albumOf(kind);
    const last = groups.at(-1);
    const item = { kind, ref: { attachment: file.id } };
    if (album && last?.album === album && last.items.length < 10) last.items.push(item);
    else groups.push({ album, items: [item] });
  }
  const captioned = html.length <= CAPTION_MAX;
  const sends: PlannedSend[] = groups.map((group, i) => {
    const caption = html && captioned && i === 0 ? { caption: html, parse_mode: 'HTML' } : {};
    const [only] = group.items;
    if (group.items.length === 1 && only) {
      return {
        method: METHOD_OF[only.kind],
        payload: { chat_id: chatId, [only.kind]: only.ref, ...caption },
      };
    }
    const media = group.items.map((item, j) => ({
      type: item.kind,
      media: item.ref,
      ...(j === 0 ? caption : {}),
    }));
    return { method: 'sendMediaGroup', payload: { chat_id: chatId, media } };
  });
  if (!captioned) {
    sends.push({
      method: 'sendMessage',
      payload: {
        chat_id: chatId,
        text: html,
        parse_mode: 'HTML',
        link_preview_options: { is_disabled: true },
      },
    });
  }
  const last = sends.at(-1);
  if (last && replyMarkup !== undefined && last.method !== 'sendMediaGroup')
    last.payload.reply_markup = replyMarkup;
  return sends;
}

const isRef = (value: unknown): value is AttachmentRef =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { attachment?: unknown }).attachment === 'number';

/** A file in a Bot API answer: the largest photo size, or the document/voice/... object. */
function fileIdIn(message: unknown, kind: string): { fileId: string; uniqueId?: string } | undefined {
  const m = message as Record<string, unknown> | null;
  const value = m?.[kind];
  const file = (Array.isArray(value) ? value.at(-1) : value) as
    | { file_id?: unknown; file_unique_id?: unknown }
    | undefined;
  if (typeof file?.file_id !== 'string') return undefined;
  return typeof file.file_unique_id === 'string'
    ? { fileId: file.file_id, uniqueId: file.file_unique_id }
    : { fileId: file.file_id };
}

export interface FileSender {
  /** The payload with every attachment reference turned into a file id or an upload. */
  resolve(row: ClaimedOutboxRow, payload: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** After a successful send: keeps the file ids Telegram gave the files it was sent as bytes. */
  remember(row: ClaimedOutboxRow, payload: Record<string, unknown>, result: unknown): Promise<void>;
}

export function createFileSender({ uc, blobs }: { uc: UseCases; blobs: BlobStore }): FileSender {
  async function inputOf(ref: AttachmentRef): Promise<unknown> {
    const file = await uc.getAttachmentFile(ref.attachment);
    if (file?.telegramFileId) return file.telegramFileId;
    const blob = file?.blobId ? await blobs.open(file.blobId) : null;
    // A permanent refusal (the row fails, the agent sees a failed delivery): the file is gone.
    if (!file || !blob) throw new Error(`attachment ${ref.attachment} has no bytes to send`);
    return { source: blob.stream, filename: file.fileName ?? `file-${file.id}` };
  }

  return {
    async resolve(_row, payload) {
      const resolved: Record<string, unknown> = { ...payload };
      for (const [key, value] of Object.entries(payload)) {
        if (FILE_PARAMS.has(key) && isRef(value)) resolved[key] = await inputOf(value);
      }
      if (Array.isArray(payload.media)) {
        resolved.media = await Promise.all(
          (payload.media as Array<Record<string, unknown>>).map(async (item) =>
            isRef(item.media) ? { ...item, media: await inputOf(item.media) } : item,
          ),
        );
      }
      return resolved;
    },
    async remember(_row, payload, result) {
      const sent: Array<{ kind: string; ref: AttachmentRef; message: unknown }> = [];
      for (const [key, value] of Object.entries(payload)) {
        if (FILE_PARAMS.has(key) && isRef(value)) sent.push({ kind: key, ref: value, message: result });
      }
      if (Array.isArray(payload.media) && Array.isArray(result)) {
        (payload.media as Array<Record<string, unknown>>).forEach((item, i) => {
          if (isRef(item.media)) sent.push({ kind: String(item.type), ref: item.media, message: result[i] });
        });
      }
      for (const { kind, ref, message } of sent) {
        const file = fileIdIn(message, kind);
        if (file) await uc.rememberTelegramFile(ref.attachment, file);
      }
    },
  };
}

/** The queue's hooks with files resolved last before the call, and their file ids kept after it. */
export function withFiles(hooks: SendHooks, files: FileSender): SendHooks {
  return {
    async prepare(row, call) {
      return files.resolve(row, await hooks.prepare(row, call));
    },
    recover: (row, sent, error) => hooks.recover(row, sent, error),
    async sent(row, result) {
      await hooks.sent?.(row, result);
      await files.remember(row, row.payload, result);
    },
  };
}
