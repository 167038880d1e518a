import { sql } from 'drizzle-orm';
import { boolean, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, telegramId, tstz } from './columns';
import { tickets } from './tickets';

/**
 * A ticket's topic in the agents' forum group (issue 16) and how far its events are mirrored there.
 * `threadId` is null until Telegram created the topic, and again once Telegram said it is gone (`lost`).
 */
export const ticketTopics = pgTable(
  'ticket_topics',
  {
    ticketId: integer('ticket_id')
      .primaryKey()
      .references(() => tickets.id),
    chatId: telegramId('chat_id').notNull(),
    threadId: integer('thread_id'),
    /** The ticket's last event seq whose posts are queued for the topic. */
    mirroredSeq: integer('mirrored_seq').notNull().default(0),
    /** The name and open/closed state the queued calls give the topic. */
    name: text('name'),
    closed: boolean('closed').notNull().default(false),
    /** Telegram said the topic is gone: the next post creates it again with a recap. */
    lost: boolean('lost').notNull().default(false),
    createdAt: createdAt(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('ticket_topics_thread_uq').on(t.chatId, t.threadId).where(sql`${t.threadId} is not null`),
  ],
);
