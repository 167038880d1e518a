import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from './columns';

/** Small durable cursors and flags of the workers (e.g. the bot's last processed event id). */
export const kvState = pgTable('kv_state', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: tstz('updated_at').notNull().defaultNow(),
});
