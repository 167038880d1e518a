import type { Readable } from 'node:stream';
import { type BlobStore, BlobTooLargeError } from '@tikethet/db';
import {
  attachmentKindOf,
  cleanMimeType,
  cleanText,
  type IncomingAttachment,
  SNIFF_BYTES,
  sniffFile,
  ValidationError,
} from '@tikethet/domain';
import busboy from 'busboy';
import type { Request } from 'express';
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

/**
 * Reads a multipart/form-data request as it arrives (busboy): text parts into `fields`, each file part
 * straight into the blob store, so memory holds a chunk of a file at a time, never a request. On any refusal
 * (a file over the limit: 413 naming it; an unknown part, too many files: 400 naming the field) the blobs
 * already written are removed and the rest of the request is read to its end and dropped before the answer.
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
      const head = { bytes: Buffer.alloc(0) };
      storing = storing.then(async () => {
        if (failure !== undefined) {
          stream.resume();
          return;
        }
        try {
          const blob = await options.blobs.put(keepingHead(stream, head), { maxBytes: options.maxFileBytes });
          const sniffed = sniffFile(head.bytes);
          const mimeType = sniffed.mimeType ?? cleanMimeType(info.mimeType) ?? 'application/octet-stream';
          const file: ReadForm['files'][number] = {
            kind: attachmentKindOf(sniffed),
            blobId: blob.id,
            fileName,
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
              ? new HttpError(
                  413,
                  'file_too_large',
                  `file "${fileName}" is larger than ${options.maxFileBytes} bytes`,
                  { field: options.fileField, fileName, maxBytes: options.maxFileBytes },
                )
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
