import type { Readable } from 'node:stream';
import type { Response } from 'express';

/** Raster images a browser may show inline; anything else (SVG, HTML, PDF, ...) is downloaded. */
const INLINE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** What the response says about a file, whoever holds its bytes. */
export interface FileMeta {
  kind: string;
  fileName: string | null;
  mimeType: string | null;
}

/**
 * The stored MIME type is the sender's choice: only a raster image keeps its own; anything else (HTML, SVG,
 * script, text, PDF, ...) is served as application/octet-stream, so nothing a sender picks can render or run
 * at the app's origin.
 */
function contentTypeOf(file: FileMeta): string {
  const mime = file.mimeType?.toLowerCase().trim();
  if (mime && INLINE_TYPES.has(mime)) return mime;
  return file.kind === 'photo' && !mime ? 'image/jpeg' : 'application/octet-stream';
}

/** RFC 6266 filename with an ASCII fallback. */
function dispositionOf(file: FileMeta): string {
  const name = file.fileName ?? `file-${file.kind}`;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Streams a file's bytes with the headers every file gets: anything that is not a raster image is a download
 * with nosniff, an image is sandboxed, so a file can never run as a page. Resolves when the answer is sent or
 * the client left; a failing source cuts the connection (a half-sent file must not look complete).
 */
export async function sendFile(
  res: Response,
  file: FileMeta,
  body: Readable,
  options: { length?: number; cache: string },
): Promise<void> {
  const type = contentTypeOf(file);
  res.status(200);
  res.setHeader('Content-Type', type);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', options.cache);
  if (!INLINE_TYPES.has(type)) res.setHeader('Content-Disposition', dispositionOf(file));
  else res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  if (options.length !== undefined) res.setHeader('Content-Length', String(options.length));
  await new Promise<void>((resolve) => {
    body.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      body.destroy();
      resolve();
    });
    body.pipe(res);
  });
}
