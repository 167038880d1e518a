import { createHash, randomUUID } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { attachments, blobChunks, blobs } from '../schema';
import { createS3Objects, type S3Config } from './s3-objects';

/** Bytes per `blob_chunks` row: big enough that a 20 MB file is 80 rows, small enough to hold one in memory. */
export const CHUNK_BYTES = 256 * 1024;

/** The source stream was longer than `maxBytes`: nothing of it is kept. */
export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`file is larger than ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

export interface StoredBlob {
  id: number;
  size: number;
  sha256: string;
}

export interface BlobStore {
  /** Where new blobs go. */
  readonly kind: 'pg' | 's3';
  /**
   * Streams `source` into the store, never holding more than a chunk of it; past `maxBytes` the source is
   * left unread, what was written is removed and the promise rejects with BlobTooLargeError.
   */
  put(
    source: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>,
    options: { maxBytes: number },
  ): Promise<StoredBlob>;
  /** The blob's bytes as a stream (read chunk by chunk), and its size; null when there is no such blob. */
  open(id: number): Promise<{ size: number; stream: Readable } | null>;
  /** Removes blobs no attachment took (an upload whose message was never written). */
  remove(ids: number[]): Promise<void>;
  /**
   * One bounded run of the orphan sweep: looks at up to `limit` blobs after the cursor `after` (by id, the
   * primary key), stopping before the first one younger than `graceMs` (an upload whose message may still
   * come); removes those no attachment refers to, bytes and S3 object too. `next` is where the next run goes
   * on from; `more` says a full `limit` was looked at, so blobs past the grace period may be left.
   */
  sweepOrphans(options: { after: number; graceMs: number; limit: number }): Promise<SweepResult>;
}

export interface SweepResult {
  removed: number;
  next: number;
  more: boolean;
}

export interface BlobStoreOptions {
  db: Database;
  /** Given: new blobs go to this S3-compatible bucket (blobs already in Postgres stay readable). */
  s3?: S3Config | undefined;
}

/** Cuts a byte stream into `size`-byte pieces (the last shorter), counting and hashing as it goes. */
async function* pieces(
  source: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>,
  size: number,
  maxBytes: number,
  hash: ReturnType<typeof createHash>,
): AsyncGenerator<Buffer> {
  // One buffer per piece, filled in place: no concatenation garbage per incoming chunk.
  let piece = Buffer.allocUnsafe(size);
  let filled = 0;
  let total = 0;
  for await (const raw of source) {
    const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    total += chunk.length;
    if (total > maxBytes) throw new BlobTooLargeError(maxBytes);
    hash.update(chunk);
    let at = 0;
    while (at < chunk.length) {
      const copied = chunk.copy(piece, filled, at);
      filled += copied;
      at += copied;
      if (filled === size) {
        yield piece;
        piece = Buffer.allocUnsafe(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield piece.subarray(0, filled);
}

/**
 * The one way to files' bytes. In Postgres a blob is a `blobs` row and its `blob_chunks`, each chunk its own
 * INSERT (no transaction held open while a slow client uploads; a failed upload deletes what it wrote).
 * With S3 the object is uploaded in parts (`@aws-sdk/lib-storage`, one part in flight) and then recorded.
 */
export function createBlobStore(options: BlobStoreOptions): BlobStore {
  const { db } = options;
  const s3 = options.s3 ? createS3Objects(options.s3) : undefined;

  async function putPg(
    source: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>,
    maxBytes: number,
  ) {
    const [row] = await db
      .insert(blobs)
      .values({ store: 'pg', size: 0, sha256: '' })
      .returning({ id: blobs.id });
    if (!row) throw new Error('blob row was not created');
    const hash = createHash('sha256');
    let size = 0;
    let n = 0;
    try {
      for await (const data of pieces(source, CHUNK_BYTES, maxBytes, hash)) {
        await db.insert(blobChunks).values({ blobId: row.id, n, data });
        n += 1;
        size += data.length;
      }
      const sha256 = hash.digest('hex');
      await db.update(blobs).set({ size, sha256 }).where(eq(blobs.id, row.id));
      return { id: row.id, size, sha256 };
    } catch (error) {
      await db
        .delete(blobs)
        .where(eq(blobs.id, row.id))
        .catch(() => undefined);
      throw error;
    }
  }

  async function putS3(
    objects: NonNullable<typeof s3>,
    source: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>,
    maxBytes: number,
  ) {
    const key = `blobs/${randomUUID()}`;
    // The row first: an upload cut off before it ends (the process killed) leaves a row the sweep finds, and
    // through it the object, rather than an object no row names.
    const [row] = await db
      .insert(blobs)
      .values({ store: 's3', key, size: 0, sha256: '' })
      .returning({ id: blobs.id });
    if (!row) throw new Error('blob row was not created');
    const hash = createHash('sha256');
    let size = 0;
    const counted = async function* () {
      for await (const piece of pieces(source, CHUNK_BYTES, maxBytes, hash)) {
        size += piece.length;
        yield piece;
      }
    };
    const body = new PassThrough({ highWaterMark: CHUNK_BYTES });
    const feeding = pipeline(Readable.from(counted()), body);
    const uploading = objects.upload(key, body).catch((error: unknown) => {
      body.destroy(error as Error);
      throw error;
    });
    const [uploaded, fed] = await Promise.allSettled([uploading, feeding]);
    if (uploaded.status === 'rejected' || fed.status === 'rejected') {
      await objects.remove(key).catch(() => undefined);
      await db
        .delete(blobs)
        .where(eq(blobs.id, row.id))
        .catch(() => undefined);
      // Too large is the caller's answer to give; an upload aborted because of it is not an S3 failure.
      if (fed.status === 'rejected' && fed.reason instanceof BlobTooLargeError) throw fed.reason;
      throw uploaded.status === 'rejected' ? uploaded.reason : (fed as PromiseRejectedResult).reason;
    }
    const sha256 = hash.digest('hex');
    await db.update(blobs).set({ size, sha256 }).where(eq(blobs.id, row.id));
    return { id: row.id, size, sha256 };
  }

  async function* chunksOf(id: number): AsyncGenerator<Buffer> {
    for (let n = 0; ; n += 1) {
      const [chunk] = await db
        .select({ data: blobChunks.data })
        .from(blobChunks)
        .where(and(eq(blobChunks.blobId, id), eq(blobChunks.n, n)));
      if (!chunk) return;
      yield chunk.data;
    }
  }

  return {
    kind: s3 ? 's3' : 'pg',
    put(source, { maxBytes }) {
      return s3 ? putS3(s3, source, maxBytes) : putPg(source, maxBytes);
    },
    async open(id) {
      const [row] = await db.select().from(blobs).where(eq(blobs.id, id));
      if (!row) return null;
      if (row.store === 'pg') return { size: row.size, stream: Readable.from(chunksOf(id)) };
      if (!s3 || !row.key) throw new Error(`blob ${id} is in S3 but no S3 store is configured`);
      return { size: row.size, stream: await s3.download(row.key) };
    },
    async remove(ids) {
      if (ids.length === 0) return;
      const rows = await db.delete(blobs).where(inArray(blobs.id, ids)).returning({ key: blobs.key });
      for (const { key } of rows) if (key && s3) await s3.remove(key).catch(() => undefined);
    },
    async sweepOrphans({ after, graceMs, limit }) {
      // A primary-key range and one index probe (attachments_blob_idx) per blob: `limit` rows, whatever the
      // table's size.
      const seen = await db
        .select({
          id: blobs.id,
          old: sql<boolean>`${blobs.createdAt} < now() - make_interval(secs => ${graceMs / 1000})`,
          used: sql<boolean>`exists (select 1 from ${attachments} where ${attachments.blobId} = ${blobs.id})`,
        })
        .from(blobs)
        .where(gt(blobs.id, after))
        .orderBy(asc(blobs.id))
        .limit(limit);
      const young = seen.findIndex((b) => !b.old);
      const settled = young === -1 ? seen : seen.slice(0, young);
      const orphans = settled.filter((b) => !b.used).map((b) => b.id);
      let removed = 0;
      if (orphans.length > 0) {
        // Checked again as it is deleted: an attachment written since the look keeps its blob.
        const rows = await db
          .delete(blobs)
          .where(
            and(
              inArray(blobs.id, orphans),
              sql`not exists (select 1 from ${attachments} where ${attachments.blobId} = ${blobs.id})`,
            ),
          )
          .returning({ key: blobs.key });
        removed = rows.length;
        for (const { key } of rows) if (key && s3) await s3.remove(key).catch(() => undefined);
      }
      return {
        removed,
        next: settled.at(-1)?.id ?? after,
        more: young === -1 && seen.length === limit,
      };
    },
  };
}
