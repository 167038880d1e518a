import { sql } from 'drizzle-orm';
import { pgTable, serial, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, telegramId } from './columns';
import { users } from './users';

/** Shared replies have no owner (admins manage them); an agent's own have the agent as owner. */
export const cannedReplies = pgTable(
  'canned_replies',
  {
    id: serial('id').primaryKey(),
    ownerId: telegramId('owner_id').references(() => users.id),
    shortcut: text('shortcut').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('canned_replies_shortcut_uq').on(sql`coalesce(${t.ownerId}, 0)`, t.shortcut)],
);
