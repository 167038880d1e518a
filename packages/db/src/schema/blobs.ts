import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  customType,
  integer,
  pgTable,
  primaryKey,
  text,
} from 'drizzle-orm/pg-core';
import { createdAt } from './columns';

const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType() {
    return 'bytea';
  },
});

/** One uploaded file (0016): its bytes are in `blob_chunks` (store `pg`) or an S3 object named by `key`. */
export const blobs = pgTable(
  'blobs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    store: text('store', { enum: ['pg', 's3'] }).notNull(),
    key: text('key'),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    check('blobs_store_check', sql`${t.store} in ('pg','s3')`),
    check('blobs_key_check', sql`(${t.store} = 's3') = (${t.key} is not null)`),
  ],
);

/** A blob's bytes in order, 256 KiB a row (the last one shorter). */
export const blobChunks = pgTable(
  'blob_chunks',
  {
    blobId: bigint('blob_id', { mode: 'number' })
      .notNull()
      .references(() => blobs.id, { onDelete: 'cascade' }),
    n: integer('n').notNull(),
    data: bytea('data').notNull(),
  },
  (t) => [primaryKey({ name: 'blob_chunks_pk', columns: [t.blobId, t.n] })],
);
