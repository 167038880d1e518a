import { randomBytes } from 'node:crypto';
import type { UploadedFile } from './bot-api-body';
import { BotApiError, badRequest } from './bot-api-error';
import type { KnownFile, MediaType } from './fake-bot-state';
import type { TgMediaFile, TgMessage, TgPhotoSize } from './telegram-types';

/** The Bot API's download limit: getFile refuses bigger files ("file is too big"). */
export const GET_FILE_MAX_BYTES = 20 * 1024 * 1024;
/** The Bot API's upload limit for multipart sends (photos are smaller still in Telegram; not modelled). */
export const UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

export const MEDIA_TYPES: readonly MediaType[] = [
  'photo',
  'document',
  'voice',
  'audio',
  'video',
  'video_note',
  'animation',
  'sticker',
];

const WRONG_FILE = 'wrong file identifier/HTTP URL specified';

const folderOf: Record<MediaType, string> = {
  photo: 'photos',
  document: 'documents',
  voice: 'voice',
  audio: 'music',
  video: 'videos',
  video_note: 'video_notes',
  animation: 'animations',
  sticker: 'stickers',
};

/** What Telegram would add to an uploaded file's description when the upload does not say. */
const defaultsOf: Record<MediaType, Partial<TgMediaFile>> = {
  photo: {},
  document: { mime_type: 'application/octet-stream' },
  voice: { mime_type: 'audio/ogg', duration: 1 },
  audio: { mime_type: 'audio/mpeg', duration: 1 },
  video: { mime_type: 'video/mp4', width: 640, height: 360, duration: 1 },
  video_note: { length: 240, duration: 1 },
  animation: { mime_type: 'video/mp4', width: 320, height: 240, duration: 1 },
  sticker: { type: 'regular', width: 512, height: 512, is_animated: false, is_video: false },
};

const newId = (prefix: string) => `${prefix}${randomBytes(12).toString('base64url')}`;

/** A PNG's own size from its IHDR chunk; other images get Telegram's usual 1280x960 here. */
function imageSize(content: Buffer | undefined): { width: number; height: number } {
  if (content && content.length >= 24 && content.readUInt32BE(0) === 0x89504e47) {
    return { width: content.readUInt32BE(16), height: content.readUInt32BE(20) };
  }
  return { width: 1280, height: 960 };
}

/** Remembers a file so getFile can name it, /file/ can serve it and a send can reuse its file_id. */
function remember(files: Map<string, KnownFile>, file: Omit<KnownFile, 'file_path'>): KnownFile {
  const known: KnownFile = {
    ...file,
    file_path: `${folderOf[file.type]}/file_${files.size + 1}${extensionOf(file.meta.file_name)}`,
  };
  files.set(file.file_id, known);
  return known;
}

function extensionOf(name: string | undefined): string {
  const match = name ? /\.[A-Za-z0-9]{1,8}$/.exec(name) : null;
  return match ? match[0] : '';
}

/** The part of a message that describes the file, as Telegram writes it for this type. */
export function describe(file: KnownFile): Partial<TgMessage> {
  if (file.type === 'photo') {
    const { width = 1280, height = 960 } = file.meta;
    const thumb: TgPhotoSize = {
      file_id: `${file.file_id}_t`,
      file_unique_id: `${file.file_unique_id}t`,
      width: Math.max(1, Math.round(width / 14)),
      height: Math.max(1, Math.round(height / 14)),
      file_size: Math.min(1200, file.file_size),
    };
    const full: TgPhotoSize = {
      file_id: file.file_id,
      file_unique_id: file.file_unique_id,
      width,
      height,
      file_size: file.file_size,
    };
    return { photo: [thumb, full] };
  }
  const media: TgMediaFile = {
    file_id: file.file_id,
    file_unique_id: file.file_unique_id,
    file_size: file.file_size,
    ...file.meta,
  };
  return { [file.type]: media } as Partial<TgMessage>;
}

/**
 * The file a send names in `value`: an upload (`attach://<part>` or the part under the parameter's own name),
 * a file_id Telegram knows (of the same type), or an HTTP URL (taken as given: the fake fetches nothing).
 */
export function resolveInputFile(
  files: Map<string, KnownFile>,
  type: MediaType,
  value: unknown,
  uploads: Record<string, UploadedFile>,
  ownPart?: string,
): KnownFile {
  const attach = typeof value === 'string' && value.startsWith('attach://') ? value.slice(9) : undefined;
  const upload = attach !== undefined ? uploads[attach] : ownPart ? uploads[ownPart] : undefined;
  if (attach !== undefined && !upload) throw badRequest("can't parse InputMedia: media not found");
  if (upload) {
    if (upload.size === 0) throw badRequest('file must be non-empty');
    if (upload.size > UPLOAD_MAX_BYTES) throw new BotApiError(413, 'Request Entity Too Large');
    const meta: Partial<TgMediaFile> = { ...defaultsOf[type] };
    if (type === 'photo') Object.assign(meta, imageSize(upload.content));
    else if (type !== 'voice' && type !== 'video_note' && type !== 'sticker') {
      meta.file_name = upload.filename;
      if (upload.contentType && upload.contentType !== 'application/octet-stream')
        meta.mime_type = upload.contentType;
    }
    return remember(files, {
      file_id: newId(`${type.slice(0, 2).toUpperCase()}ACAgIAAxkDAAI`),
      file_unique_id: newId('AgAD'),
      file_size: upload.size,
      content: upload.content,
      type,
      meta,
    });
  }
  if (typeof value !== 'string' || value === '') throw badRequest(`there is no ${type} in the request`);
  if (/^https?:\/\//.test(value)) {
    return remember(files, {
      file_id: newId('URL'),
      file_unique_id: newId('AgAD'),
      file_size: 1024,
      type,
      meta: { ...defaultsOf[type] },
    });
  }
  const known = files.get(value);
  if (!known) throw badRequest(WRONG_FILE);
  if (known.type !== type) throw badRequest(`type of file mismatch`);
  return known;
}

/** Learns the files of a message Telegram delivered (a customer's photo, voice, ...), so getFile knows them. */
export function learnFiles(files: Map<string, KnownFile>, message: TgMessage): void {
  const largest = message.photo?.[message.photo.length - 1];
  if (largest && !files.has(largest.file_id)) {
    remember(files, {
      file_id: largest.file_id,
      file_unique_id: largest.file_unique_id,
      file_size: largest.file_size ?? 1024,
      type: 'photo',
      meta: { width: largest.width, height: largest.height },
    });
  }
  for (const type of MEDIA_TYPES) {
    if (type === 'photo') continue;
    const media = message[type] as TgMediaFile | undefined;
    if (!media || files.has(media.file_id)) continue;
    const { file_id, file_unique_id, file_size, ...meta } = media;
    remember(files, { file_id, file_unique_id, file_size: file_size ?? 1024, type, meta });
  }
}

/** getFile as Telegram answers it: unknown ids and files over 20 MB are refused. */
export function getFileResult(files: Map<string, KnownFile>, fileId: string | undefined) {
  if (!fileId) throw badRequest('invalid file_id');
  const known = files.get(fileId);
  if (!known) throw badRequest('invalid file_id');
  if (known.file_size > GET_FILE_MAX_BYTES) throw badRequest('file is too big');
  return {
    file_id: known.file_id,
    file_unique_id: known.file_unique_id,
    file_size: known.file_size,
    file_path: known.file_path,
  };
}
