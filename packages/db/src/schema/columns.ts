import { bigint, customType, timestamp } from 'drizzle-orm/pg-core';

/** Telegram ids exceed 32 bits but stay within 52: bigint read as a JS number. */
export const telegramId = (name: string) => bigint(name, { mode: 'number' });

export const createdAt = () =>
  timestamp('created_at', { withTimezone: true, mode: 'string' }).notNull().defaultNow();
export const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: 'string' });

/** Full-text search vector (Russian and English stems of the ticket's public text). */
export const tsvector = customType<{ data: string }>({
  dataType() {
    return 'tsvector';
  },
});
