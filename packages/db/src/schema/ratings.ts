import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, smallint, text } from 'drizzle-orm/pg-core';
import { createdAt } from './columns';
import { tickets } from './tickets';

export const ratings = pgTable(
  'ratings',
  {
    ticketId: integer('ticket_id')
      .primaryKey()
      .references(() => tickets.id),
    score: smallint('score').notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
  },
  (t) => [
    check('ratings_score_check', sql`${t.score} between 1 and 5`),
    // The stats' newest comments of a range (0015).
    index('ratings_comment_recent_idx').on(t.createdAt.desc()).where(sql`${t.comment} is not null`),
  ],
);
