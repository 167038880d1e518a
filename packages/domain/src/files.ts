import type { AttachmentKind } from './message';

/** Files one message may carry (docs/ARCHITECTURE.md §6a). */
export const MAX_FILES_PER_MESSAGE = 10;
/** Telegram shows at most this much text under a photo, video or document. */
export const CAPTION_MAX = 1024;
/** The Bot API serves files up to this size through getFile; bigger ones stay in Telegram. */
export const BOT_API_DOWNLOAD_MAX = 20 * 1024 * 1024;
/** How many leading bytes `sniffFile` needs to see to find an image's size (JPEG headers can be long). */
export const SNIFF_BYTES = 64 * 1024;

export interface SniffedFile {
  /** The type the bytes are, whatever the sender said; undefined when unrecognised. */
  mimeType?: string;
  width?: number;
  height?: number;
}

function jpegSize(head: Uint8Array): { width: number; height: number } | undefined {
  let i = 2;
  while (i + 9 < head.length) {
    if (head[i] !== 0xff) return undefined;
    const marker = head[i + 1] ?? 0;
    const length = ((head[i + 2] ?? 0) << 8) | (head[i + 3] ?? 0);
    // Start-of-frame markers (not DHT c4, JPG c8, DAC cc) carry the height then the width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      const height = ((head[i + 5] ?? 0) << 8) | (head[i + 6] ?? 0);
      const width = ((head[i + 7] ?? 0) << 8) | (head[i + 8] ?? 0);
      return { width, height };
    }
    i += 2 + length;
  }
  return undefined;
}

const ascii = (head: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...head.subarray(from, Math.min(to, head.length)));
const u32be = (h: Uint8Array, i: number) =>
  (((h[i] ?? 0) << 24) >>> 0) + ((h[i + 1] ?? 0) << 16) + ((h[i + 2] ?? 0) << 8) + (h[i + 3] ?? 0);
const u16le = (h: Uint8Array, i: number) => (h[i] ?? 0) + ((h[i + 1] ?? 0) << 8);

/**
 * What a file's first bytes say it is: PNG, JPEG, GIF, WebP (with their pixel size), PDF, OGG/Opus voice,
 * MP4/QuickTime, MP3. A sender's declared type is never trusted for what Telegram or a browser does with it.
 */
export function sniffFile(head: Uint8Array): SniffedFile {
  if (head.length >= 24 && u32be(head, 0) === 0x89504e47) {
    return { mimeType: 'image/png', width: u32be(head, 16), height: u32be(head, 20) };
  }
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return { mimeType: 'image/jpeg', ...jpegSize(head) };
  }
  if (ascii(head, 0, 4) === 'GIF8' && head.length >= 10) {
    return { mimeType: 'image/gif', width: u16le(head, 6), height: u16le(head, 8) };
  }
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') {
    const chunk = ascii(head, 12, 16);
    if (chunk === 'VP8X' && head.length >= 30) {
      const w = 1 + ((head[24] ?? 0) | ((head[25] ?? 0) << 8) | ((head[26] ?? 0) << 16));
      const h = 1 + ((head[27] ?? 0) | ((head[28] ?? 0) << 8) | ((head[29] ?? 0) << 16));
      return { mimeType: 'image/webp', width: w, height: h };
    }
    if (chunk === 'VP8 ' && head.length >= 30) {
      return { mimeType: 'image/webp', width: u16le(head, 26) & 0x3fff, height: u16le(head, 28) & 0x3fff };
    }
    return { mimeType: 'image/webp' };
  }
  if (ascii(head, 0, 5) === '%PDF-') return { mimeType: 'application/pdf' };
  if (ascii(head, 0, 4) === 'OggS') {
    return { mimeType: ascii(head, 28, 36) === 'OpusHead' ? 'audio/ogg; codecs=opus' : 'audio/ogg' };
  }
  if (ascii(head, 4, 8) === 'ftyp') {
    const brand = ascii(head, 8, 12);
    if (brand.startsWith('M4A')) return { mimeType: 'audio/mp4' };
    if (brand === 'qt  ') return { mimeType: 'video/quicktime' };
    return { mimeType: 'video/mp4' };
  }
  if (ascii(head, 0, 3) === 'ID3' || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0)) {
    return { mimeType: 'audio/mpeg' };
  }
  return {};
}

/**
 * How a file travels to Telegram, decided by what its bytes are: raster images as photos, OGG/Opus as a voice
 * note, MP4 as a video, MP3/M4A as audio, everything else (PDF, archives, SVG, unknown) as a document.
 */
export function attachmentKindOf(sniffed: SniffedFile): AttachmentKind {
  const mime = sniffed.mimeType ?? '';
  if (['image/png', 'image/jpeg', 'image/webp'].includes(mime)) return 'photo';
  if (mime === 'image/gif') return 'animation';
  if (mime === 'audio/ogg; codecs=opus') return 'voice';
  if (mime === 'video/mp4') return 'video';
  if (mime === 'audio/mpeg' || mime === 'audio/mp4') return 'audio';
  return 'document';
}

/** A sender's MIME type as stored: a bounded `type/subtype` or nothing. */
export function cleanMimeType(declared: string | undefined): string | undefined {
  const mime = declared?.trim().toLowerCase().split(';')[0]?.trim();
  return mime && /^[a-z0-9.+-]{1,63}\/[a-z0-9.+-]{1,127}$/.test(mime) ? mime : undefined;
}

/**
 * A voice note the Mini App recorded is named `voice-<time>.<ext>`; Chromium records WebM/Opus
 * (`voice-….webm`), which Telegram does not take as a voice message, so the API remuxes that one into
 * Ogg/Opus, stored as `voice-….ogg` (docs/ARCHITECTURE.md §6a). Other files are never converted.
 */
export function isWebmVoiceRecording(fileName: string): boolean {
  return /^voice-[^\\/]*\.webm$/i.test(fileName);
}

/** The stored name of a remuxed recording: `.webm` becomes `.ogg`. */
export function oggNameOf(fileName: string): string {
  return fileName.replace(/\.webm$/i, '.ogg');
}

/**
 * The largest WebM recording remuxed to Ogg/Opus: the remux holds the file in memory, so it has its own cap
 * (a larger one answers 413 naming it). 8 MiB is over half an hour of the Mini App's 32 kbps recordings.
 */
export const VOICE_REMUX_MAX_BYTES = 8 * 1024 * 1024;
