import { sql } from 'drizzle-orm';
import { bigserial, boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, telegramId, tstz } from './columns';
import { tickets } from './tickets';

/** The event log: one row per change, seq gap-free per ticket; `published_at` empty until the bus has it. */
export const events = pgTable(
  'events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    customerId: telegramId('customer_id').notNull(),
    internal: boolean('internal').notNull().default(false),
    actorId: telegramId('actor_id'),
    data: jsonb('data').notNull(),
    createdAt: createdAt(),
    publishedAt: tstz('published_at'),
  },
  (t) => [
    uniqueIndex('events_ticket_seq_uq').on(t.ticketId, t.seq),
    index('events_unpublished_idx').on(t.id).where(sql`${t.publishedAt} is null`),
  ],
);
