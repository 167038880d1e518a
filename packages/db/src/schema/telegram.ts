import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
} from 'drizzle-orm/pg-core';
import { createdAt, telegramId, tstz } from './columns';
import { messages } from './messages';
import { tickets } from './tickets';

/** Every processed Telegram update, written in the same transaction as its effect. */
export const telegramUpdates = pgTable('telegram_updates', {
  updateId: bigint('update_id', { mode: 'number' }).primaryKey(),
  processedAt: createdAt(),
});

/** Which Telegram message (in which chat) stands for which ticket/message: replies find their ticket here. */
export const telegramMessages = pgTable(
  'telegram_messages',
  {
    chatId: telegramId('chat_id').notNull(),
    telegramMessageId: bigint('telegram_message_id', { mode: 'number' }).notNull(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    messageId: bigint('message_id', { mode: 'number' }).references(() => messages.id),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.chatId, t.telegramMessageId] }),
    // The Telegram messages a ticket message is (0012): the topic mirror's lookups.
    index('telegram_messages_message_idx').on(t.messageId).where(sql`${t.messageId} is not null`),
  ],
);

/**
 * A Telegram album (messages sharing a media_group_id in a chat) and the ONE ticket message it became (0020):
 * the first item writes the message and this row, later items append their files to that message.
 */
export const telegramAlbums = pgTable(
  'telegram_albums',
  {
    chatId: telegramId('chat_id').notNull(),
    mediaGroupId: text('media_group_id').notNull(),
    messageId: bigint('message_id', { mode: 'number' })
      .notNull()
      .references(() => messages.id),
    /** The body is an item's caption (else a line naming the file, which a later caption replaces). */
    hasText: boolean('has_text').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: 'telegram_albums_pk', columns: [t.chatId, t.mediaGroupId] }),
    index('telegram_albums_message_idx').on(t.messageId),
  ],
);

/** The outbound queue to Telegram: survives restarts; delivery state is mirrored onto the message. */
export const telegramOutbox = pgTable(
  'telegram_outbox',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    chatId: telegramId('chat_id').notNull(),
    method: text('method').notNull(),
    payload: jsonb('payload').notNull(),
    ticketId: integer('ticket_id').references(() => tickets.id),
    messageId: bigint('message_id', { mode: 'number' }).references(() => messages.id),
    /** Unique per purpose (e.g. `reply:<messageId>`), so a redelivered event enqueues nothing twice. */
    dedupeKey: text('dedupe_key').unique(),
    /** Posted into its ticket's forum topic: the queue fills in message_thread_id when it sends it (0011). */
    inTopic: boolean('in_topic').notNull().default(false),
    status: text('status', { enum: ['queued', 'sending', 'sent', 'failed'] })
      .notNull()
      .default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: tstz('next_attempt_at').notNull().defaultNow(),
    lastError: text('last_error'),
    telegramMessageId: bigint('telegram_message_id', { mode: 'number' }),
    createdAt: createdAt(),
    sentAt: tstz('sent_at'),
  },
  (t) => [
    index('telegram_outbox_due_idx').on(t.nextAttemptAt).where(sql`${t.status} = 'queued'`),
    // Which chats a worker is sending to right now (a chat's rows go out from one worker at a time).
    index('telegram_outbox_sending_chat_idx').on(t.chatId).where(sql`${t.status} = 'sending'`),
  ],
);

/** How far each user has read each ticket (unread badges). */
export const ticketReads = pgTable(
  'ticket_reads',
  {
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    userId: telegramId('user_id').notNull(),
    lastReadSeq: integer('last_read_seq').notNull().default(0),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.userId] })],
);
