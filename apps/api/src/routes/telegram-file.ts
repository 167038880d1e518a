import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Response } from 'express';
import { z } from 'zod';
import { HttpError } from '../http/errors';

/** Raster images a browser may show inline; anything else (SVG, HTML, PDF, ...) is downloaded. */
const INLINE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export interface StoredFile {
  kind: string;
  telegramFileId: string;
  fileName: string | null;
  mimeType: string | null;
}

const getFileReply = z.object({
  ok: z.literal(true),
  result: z.object({
    file_path: z
      .string()
      .regex(/^[A-Za-z0-9_\-./]{1,512}$/)
      .refine((p) => !p.includes('..')),
  }),
});

/**
 * The stored MIME type is the sender's choice: only a raster image keeps its own; anything else (HTML, SVG,
 * script, text, PDF, ...) is served as application/octet-stream, so nothing a sender picks can render or run
 * at the app's origin.
 */
function contentTypeOf(file: StoredFile): string {
  const mime = file.mimeType?.toLowerCase().trim();
  if (mime && INLINE_TYPES.has(mime)) return mime;
  return file.kind === 'photo' && !mime ? 'image/jpeg' : 'application/octet-stream';
}

/** RFC 6266 filename with an ASCII fallback. */
function dispositionOf(file: StoredFile): string {
  const name = file.fileName ?? `file-${file.kind}`;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

async function upstream(url: string): Promise<globalThis.Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(15_000) });
  } catch {
    throw new HttpError(502, 'upstream_unavailable', 'Telegram did not answer; try again later');
  }
}

/**
 * Streams a file kept in Telegram: `getFile` names its path, `/file/bot<token>/<path>` serves it. Anything
 * that is not a raster image is sent as a download with nosniff, so a file can never run as a page.
 */
export async function sendTelegramFile(
  res: Response,
  file: StoredFile,
  options: { apiRoot: string; botToken: string },
): Promise<void> {
  const root = options.apiRoot.replace(/\/$/, '');
  const meta = await upstream(
    `${root}/bot${options.botToken}/getFile?file_id=${encodeURIComponent(file.telegramFileId)}`,
  );
  const parsed = getFileReply.safeParse(await meta.json().catch(() => null));
  if (!parsed.success) {
    if (meta.status === 400) throw new HttpError(404, 'not_found', 'the file is no longer available');
    throw new HttpError(502, 'upstream_unavailable', 'Telegram did not give the file');
  }
  const download = await upstream(`${root}/file/bot${options.botToken}/${parsed.data.result.file_path}`);
  if (!download.ok || !download.body) {
    throw new HttpError(502, 'upstream_unavailable', 'Telegram did not give the file');
  }
  const type = contentTypeOf(file);
  res.status(200);
  res.setHeader('Content-Type', type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, max-age=3600');
  if (!INLINE_TYPES.has(type)) res.setHeader('Content-Disposition', dispositionOf(file));
  else res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  const length = download.headers.get('content-length');
  if (length && /^[0-9]+$/.test(length)) res.setHeader('Content-Length', length);
  await new Promise<void>((resolve) => {
    const body = Readable.fromWeb(download.body as WebReadableStream<Uint8Array>);
    body.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', resolve);
    body.pipe(res);
  });
}
