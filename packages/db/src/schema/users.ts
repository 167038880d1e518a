import { sql } from 'drizzle-orm';
import { boolean, check, index, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, telegramId, tstz } from './columns';

/** A user's name and username in one lower-case text, as the trigram index `users_name_trgm_idx` holds it. */
export const searchableName = sql.raw(
  `(lower("first_name" || ' ' || coalesce("last_name", '') || ' ' || coalesce("username", '')))`,
);

/** Everyone who ever talked to TiketHet, keyed by Telegram id; the role is decided here, never by a request. */
export const users = pgTable(
  'users',
  {
    id: telegramId('id').primaryKey(),
    firstName: text('first_name').notNull().default(''),
    lastName: text('last_name'),
    username: text('username'),
    languageCode: text('language_code'),
    photoUrl: text('photo_url'),
    role: text('role', { enum: ['customer', 'agent', 'admin'] })
      .notNull()
      .default('customer'),
    /** The private chat with the bot, once the user has written to it (for notifications). */
    botChatId: telegramId('bot_chat_id'),
    /** Staff: whether auto-assignment may hand them new tickets (0009). */
    availability: text('availability', { enum: ['online', 'away'] })
      .notNull()
      .default('online'),
    /** When auto-assignment last handed this agent a ticket (round-robin order). */
    lastAssignedAt: tstz('last_assigned_at'),
    /** Digits of the phone the user shared with the bot (`request_contact`), or null. */
    phone: text('phone'),
    /** true only when the shared contact's user_id was the sender's own (never a forwarded card). */
    phoneVerified: boolean('phone_verified').notNull().default(false),
    /** Staff's note about this customer, kept across their tickets; never shown to the customer. */
    note: text('note'),
    noteUpdatedAt: tstz('note_updated_at'),
    noteUpdatedBy: telegramId('note_updated_by'),
    createdAt: createdAt(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('users_role_check', sql`${t.role} in ('customer','agent','admin')`),
    check('users_availability_check', sql`${t.availability} in ('online','away')`),
    index('users_role_idx').on(t.role),
    // Staff find customers by name or @username: trigrams of this text (pg_trgm, 0006; `searchableName`).
    index('users_name_trgm_idx').using('gin', sql`${searchableName} gin_trgm_ops`),
    // Staff find a customer by the beginning of their phone's digits (0015).
    index('users_phone_idx').on(sql`${t.phone} text_pattern_ops`).where(sql`${t.phone} is not null`),
  ],
);
