import type { Readable } from 'node:stream';
import { type BlobStore, BlobTooLargeError } from '@tikethet/db';
import {
  attachmentKindOf,
  cleanMimeType,
  cleanText,
  type IncomingAttachment,
  isWebmVoiceRecording,
  oggNameOf,
  SNIFF_BYTES,
  sniffFile,
  ValidationError,
  VOICE_REMUX_MAX_BYTES,
} from '@tikethet/domain';
import busboy from 'busboy';
import type { Request } from 'express';
import { WebmOpusError, webmOpusToOgg } from '../media/webm-opus-to-ogg';
import { HttpError } from './errors';

/** Text parts of a form are short: 64 KiB is far above any message body. */
const FIELD_MAX_BYTES = 64 * 1024;

export interface FormOptions {
  blobs: BlobStore;
  /** Text parts the form may have; any other is a 400 naming it. */
  fields: readonly string[];
  /** The name of the file parts. */
  fileField: string;
  maxFiles: number;
  maxFileBytes: number;
}

export interface ReadForm {
  fields: Record<string, string>;
  /** Each stored file as the message writer takes it (kind and size read from its bytes). */
  files: Array<IncomingAttachment & { blobId: number }>;
}

const invalid = (path: string, message: string) => new ValidationError([{ path, message }]);

/** The part of a file name a browser sends that is a name: no directories, bounded, printable. */
function fileNameOf(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  return cleanText(base.trim(), 255).trim() || 'file';
}

/**
 * Passes the stream through, keeping its first SNIFF_BYTES for `sniffFile`. A consumer that stops early
 * (a file over the limit) leaves the stream open, to be drained: a destroyed part would stall the parser.
 */
async function* keepingHead(stream: Readable, head: { bytes: Buffer }): AsyncGenerator<Buffer> {
  for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    if (head.bytes.length < SNIFF_BYTES) {
      head.bytes = Buffer.concat([head.bytes, chunk.subarray(0, SNIFF_BYTES - head.bytes.length)]);
    }
    yield chunk;
  }
}

/** A part read whole, up to `maxBytes`; undefined past that (the rest left unread, to be drained). */
async function readBounded(stream: Readable, maxBytes: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

const tooLarge = (field: string, fileName: string, maxBytes: number) =>
  new HttpError(413, 'file_too_large', `file "${fileName}" is larger than ${maxBytes} bytes`, {
    field,
    fileName,
    maxBytes,
  });

/**
 * The Mini App's WebM voice recording as Ogg/Opus bytes (its packets moved, not re-encoded), read whole up to
 * VOICE_REMUX_MAX_BYTES: past that a 413 naming the file, and a file that is not WebM/Opus a 400 naming it.
 */
async function remuxedRecording(stream: Readable, field: string, fileName: string, maxFileBytes: number) {
  const maxBytes = Math.min(maxFileBytes, VOICE_REMUX_MAX_BYTES);
  const webm = await readBounded(stream, maxBytes);
  if (!webm) throw tooLarge(field, fileName, maxBytes);
  try {
    return webmOpusToOgg(webm);
  } catch (error) {
    if (!(error instanceof WebmOpusError)) throw error;
    throw invalid(
      field,
      `file "${fileName}" is not a readable WebM/Opus voice recording: it ${error.message}`,
    );
  }
}

/**
 * Reads a multipart/form-data request as it arrives (busboy): text parts into `fields`, each file part
 * straight into the blob store, so memory holds a chunk of a file at a time, never a request. On any refusal
 * (a file over the limit: 413 naming it; an unknown part, too many files: 400 naming the field) the blobs
 * already written are removed and the rest of the request is read to its end and dropped before the answer.
 * The one part read whole is a Mini App WebM voice recording, remuxed to Ogg/Opus (`remuxedRecording`).
 */
export function readForm(req: Request, options: FormOptions): Promise<ReadForm> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: ReadForm['files'] = [];
    let failure: unknown;
    let storing: Promise<void> = Promise.resolve();
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: {
          files: options.maxFiles,
          fields: options.fields.length,
          fieldSize: FIELD_MAX_BYTES,
          parts: options.maxFiles + options.fields.length,
        },
      });
    } catch {
      reject(invalid('body', 'must be multipart/form-data with a boundary'));
      return;
    }

    const fail = (error: unknown) => {
      failure ??= error;
    };

    const finish = () => {
      void storing.then(async () => {
        if (failure === undefined) {
          resolve({ fields, files });
          return;
        }
        await options.blobs.remove(files.map((f) => f.blobId)).catch(() => undefined);
        reject(failure);
      });
    };

    parser.on('field', (name, value, info) => {
      if (!options.fields.includes(name)) fail(invalid(name, 'is not a known field'));
      else if (info.valueTruncated) fail(invalid(name, `must be at most ${FIELD_MAX_BYTES} bytes`));
      else if (name in fields) fail(invalid(name, 'must be sent once'));
      else fields[name] = value;
    });

    parser.on('file', (name, stream, info) => {
      const fileName = fileNameOf(info.filename);
      if (name !== options.fileField) fail(invalid(name, 'is not a known field'));
      if (failure !== undefined) {
        stream.resume();
        return;
      }
      const head: { bytes: Buffer } = { bytes: Buffer.alloc(0) };
      storing = storing.then(async () => {
        if (failure !== undefined) {
          stream.resume();
          return;
        }
        try {
          let source: AsyncIterable<Buffer> | Buffer[] = keepingHead(stream, head);
          let storedName = fileName;
          if (isWebmVoiceRecording(fileName)) {
            const ogg = await remuxedRecording(stream, options.fileField, fileName, options.maxFileBytes);
            head.bytes = ogg.subarray(0, SNIFF_BYTES);
            source = [ogg];
            storedName = oggNameOf(fileName);
          }
          const blob = await options.blobs.put(source, { maxBytes: options.maxFileBytes });
          const sniffed = sniffFile(head.bytes);
          const mimeType = sniffed.mimeType ?? cleanMimeType(info.mimeType) ?? 'application/octet-stream';
          const file: ReadForm['files'][number] = {
            kind: attachmentKindOf(sniffed),
            blobId: blob.id,
            fileName: storedName,
            mimeType,
            size: blob.size,
          };
          if (sniffed.width !== undefined && sniffed.height !== undefined) {
            file.width = sniffed.width;
            file.height = sniffed.height;
          }
          files.push(file);
        } catch (error) {
          stream.resume();
          fail(
            error instanceof BlobTooLargeError
              ? tooLarge(options.fileField, fileName, options.maxFileBytes)
              : error,
          );
        }
      });
    });

    parser.on('filesLimit', () =>
      fail(invalid(options.fileField, `must be at most ${options.maxFiles} files`)),
    );
    parser.on('fieldsLimit', () => fail(invalid('body', 'has more text parts than the form takes')));
    parser.on('partsLimit', () => fail(invalid('body', 'has more parts than the form takes')));
    let finished = false;
    const finishOnce = () => {
      if (finished) return;
      finished = true;
      finish();
    };
    parser.on('error', (error) => {
      fail(invalid('body', `is not readable multipart/form-data (${(error as Error).message})`));
      req.unpipe(parser);
      if (req.destroyed || req.readableEnded) finishOnce();
      else {
        req.once('end', finishOnce);
        req.resume();
      }
    });
    parser.on('close', finishOnce);
    // A client that goes away mid-upload: busboy ends the file being read with an error, and what was
    // stored is removed like any refused upload.
    req.once('close', () => {
      if (req.complete) return;
      fail(new HttpError(400, 'request_aborted', 'the upload was interrupted'));
      parser.destroy(new Error('the request ended before the form did'));
      finishOnce();
    });
    req.pipe(parser);
  });
}
