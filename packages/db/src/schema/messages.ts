import { getTableColumns, sql } from 'drizzle-orm';
import { bigserial, check, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, telegramId, tstz, tsvector } from './columns';
import { tickets } from './tickets';
import { users } from './users';

export const messages = pgTable(
  'messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    /** The seq of the message.created event that announced it. */
    seq: integer('seq').notNull(),
    kind: text('kind', { enum: ['customer', 'agent', 'note', 'system'] }).notNull(),
    authorId: telegramId('author_id').references(() => users.id),
    body: text('body').notNull(),
    /** The first text when the author edited it in Telegram. */
    originalBody: text('original_body'),
    clientMessageId: text('client_message_id'),
    via: text('via', { enum: ['miniapp', 'bot'] })
      .notNull()
      .default('miniapp'),
    delivery: text('delivery', { enum: ['none', 'pending', 'sent', 'failed'] })
      .notNull()
      .default('none'),
    createdAt: createdAt(),
    editedAt: tstz('edited_at'),
    /**
     * Russian and English stems of the text, kept by Postgres. Per message, so writing a message costs the
     * same however long the conversation (a ticket-wide vector was rewritten and re-indexed on every message).
     */
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(
        sql`to_tsvector('russian'::regconfig, "body") || to_tsvector('english'::regconfig, "body")`,
      ),
  },
  (t) => [
    check('messages_kind_check', sql`${t.kind} in ('customer','agent','note','system')`),
    check('messages_delivery_check', sql`${t.delivery} in ('none','pending','sent','failed')`),
    // Only messages that carry one (the Mini App's): the rest (bot, system) would all share (ticket, NULL),
    // which never conflicts but made every insert on a long ticket walk a growing run of equal keys.
    uniqueIndex('messages_client_id_uq')
      .on(t.ticketId, t.clientMessageId)
      .where(sql`${t.clientMessageId} is not null`),
    uniqueIndex('messages_ticket_seq_uq').on(t.ticketId, t.seq),
    // Every kind, notes too (staff search them); customers' searches filter notes out (0006).
    index('messages_search_all_idx').using('gin', t.search),
  ],
);

const { search: _search, ...readable } = getTableColumns(messages);
/** The columns a message is read with: all but its search vector, which only filters searches. */
export const messageColumns = readable;
