import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { BOT_API_DOWNLOAD_MAX } from '@tikethet/domain';
import type { Response } from 'express';
import { z } from 'zod';
import { HttpError } from '../http/errors';
import { type FileMeta, sendFile } from './file-response';

export interface TelegramFile extends FileMeta {
  telegramFileId: string;
  size: number | null;
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
const getFileError = z.object({ ok: z.literal(false), description: z.string() });

/** Telegram keeps a getFile path valid for an hour; the API reuses one for a few minutes. */
const PATH_TTL_MS = 10 * 60 * 1000;
const PATH_CACHE_MAX = 2000;

const tooBig = () =>
  new HttpError(
    404,
    'file_too_big',
    'the file is over the Bot API’s 20 MB download limit: open it in the Telegram chat',
    { maxBytes: BOT_API_DOWNLOAD_MAX },
  );

async function upstream(url: string): Promise<globalThis.Response> {
  try {
    return await fetch(url, { signal: AbortSignal.timeout(15_000) });
  } catch {
    throw new HttpError(502, 'upstream_unavailable', 'Telegram did not answer; try again later');
  }
}

export interface TelegramFiles {
  /** Streams a file kept in Telegram: `getFile` names its path (cached a while), `/file/bot…/<path>` serves it. */
  send(res: Response, file: TelegramFile): Promise<void>;
}

export function createTelegramFiles(options: { apiRoot: string; botToken: string }): TelegramFiles {
  const root = options.apiRoot.replace(/\/$/, '');
  const paths = new Map<string, { path: string; until: number }>();

  async function pathOf(fileId: string): Promise<string> {
    const cached = paths.get(fileId);
    if (cached && cached.until > Date.now()) return cached.path;
    const meta = await upstream(
      `${root}/bot${options.botToken}/getFile?file_id=${encodeURIComponent(fileId)}`,
    );
    const answer = (await meta.json().catch(() => null)) as unknown;
    const parsed = getFileReply.safeParse(answer);
    if (!parsed.success) {
      const refusal = getFileError.safeParse(answer);
      if (refusal.success && /file is too big/i.test(refusal.data.description)) throw tooBig();
      if (meta.status === 400) throw new HttpError(404, 'not_found', 'the file is no longer available');
      throw new HttpError(502, 'upstream_unavailable', 'Telegram did not give the file');
    }
    if (paths.size >= PATH_CACHE_MAX) paths.delete(paths.keys().next().value as string);
    const path = parsed.data.result.file_path;
    paths.set(fileId, { path, until: Date.now() + PATH_TTL_MS });
    return path;
  }

  return {
    async send(res, file) {
      // Telegram says the same, but only after a round trip: a size it reported is enough to know.
      if (file.size !== null && file.size > BOT_API_DOWNLOAD_MAX) throw tooBig();
      const path = await pathOf(file.telegramFileId);
      const download = await upstream(`${root}/file/bot${options.botToken}/${path}`);
      if (!download.ok || !download.body) {
        paths.delete(file.telegramFileId);
        throw new HttpError(502, 'upstream_unavailable', 'Telegram did not give the file');
      }
      const length = download.headers.get('content-length');
      await sendFile(res, file, Readable.fromWeb(download.body as WebReadableStream<Uint8Array>), {
        cache: 'private, max-age=3600',
        ...(length && /^[0-9]+$/.test(length) ? { length: Number(length) } : {}),
      });
    },
  };
}
