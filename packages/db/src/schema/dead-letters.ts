import { bigint, bigserial, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';

/**
 * Telegram updates that failed for a reason other than an unreachable database (issue 13): kept here with
 * the raw update (cleaned so jsonb takes it) and the error, and acknowledged, so one poison update never
 * stops the bot. Admins read them (`GET /api/v1/dead-letters`).
 */
export const deadLetters = pgTable('dead_letters', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  updateId: bigint('update_id', { mode: 'number' }).notNull().unique(),
  update: jsonb('update').notNull(),
  error: text('error').notNull(),
  createdAt: createdAt(),
});
