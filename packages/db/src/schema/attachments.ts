import { attachmentKinds } from '@tikethet/domain';
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { blobs } from './blobs';
import { createdAt } from './columns';
import { messages } from './messages';

/**
 * Files on a message: ones that came through Telegram are kept as Telegram file ids and fetched on demand;
 * ones uploaded in the Mini App have their bytes in a blob (0016), and a Telegram file id too once the bot
 * has sent them (later sends reuse it).
 */
export const attachments = pgTable(
  'attachments',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: bigint('message_id', { mode: 'number' })
      .notNull()
      .references(() => messages.id),
    kind: text('kind', {
      enum: attachmentKinds,
    }).notNull(),
    telegramFileId: text('telegram_file_id'),
    telegramFileUniqueId: text('telegram_file_unique_id'),
    fileName: text('file_name'),
    mimeType: text('mime_type'),
    size: integer('size'),
    width: integer('width'),
    height: integer('height'),
    blobId: bigint('blob_id', { mode: 'number' }).references(() => blobs.id),
    /**
     * Order among the message's files (0020): an album item's Telegram message_id, so an album keeps its
     * order whichever item was written first; null for files written together (they keep their id order).
     */
    position: bigint('position', { mode: 'number' }),
    createdAt: createdAt(),
  },
  (t) => [
    index('attachments_message_idx').on(t.messageId),
    index('attachments_blob_idx').on(t.blobId).where(sql`${t.blobId} is not null`),
    check('attachments_source_check', sql`${t.telegramFileId} is not null or ${t.blobId} is not null`),
  ],
);
