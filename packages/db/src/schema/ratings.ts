import { sql } from 'drizzle-orm';
import { check, integer, pgTable, smallint, text } from 'drizzle-orm/pg-core';
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
  (t) => [check('ratings_score_check', sql`${t.score} between 1 and 5`)],
);
