import { getTableColumns, sql } from 'drizzle-orm';
import {
  check,
  type ExtraConfigColumn,
  index,
  integer,
  pgTable,
  serial,
  smallint,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { categories } from './categories';
import { createdAt, telegramId, tstz, tsvector } from './columns';
import { users } from './users';

/** The lists' order, as index columns. */
const recentFirst = (t: { lastMessageAt: ExtraConfigColumn; id: ExtraConfigColumn }) =>
  [t.lastMessageAt.desc().nullsFirst(), t.id.desc().nullsFirst()] as const;

export const tickets = pgTable(
  'tickets',
  {
    id: serial('id').primaryKey(),
    customerId: telegramId('customer_id')
      .notNull()
      .references(() => users.id),
    subject: text('subject').notNull(),
    status: text('status', { enum: ['new', 'open', 'pending', 'resolved', 'closed'] })
      .notNull()
      .default('new'),
    priority: text('priority', { enum: ['low', 'normal', 'high', 'urgent'] })
      .notNull()
      .default('normal'),
    categoryId: integer('category_id').references(() => categories.id),
    assigneeId: telegramId('assignee_id').references(() => users.id),
    /** Optimistic concurrency: every change of the ticket's own fields bumps it. */
    version: integer('version').notNull().default(1),
    /** The last event seq handed out for this ticket (gap-free, taken under the row lock). */
    lastSeq: integer('last_seq').notNull().default(0),
    source: text('source', { enum: ['miniapp', 'bot'] })
      .notNull()
      .default('miniapp'),
    /** Idempotency key of the creating request, unique per customer. */
    clientRequestId: text('client_request_id'),
    createdAt: createdAt(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
    lastMessageAt: tstz('last_message_at').notNull().defaultNow(),
    lastMessagePreview: text('last_message_preview'),
    firstResponseAt: tstz('first_response_at'),
    resolvedAt: tstz('resolved_at'),
    closedAt: tstz('closed_at'),
    rating: smallint('rating'),
    search: tsvector('search').notNull().default(sql`''::tsvector`),
  },
  (t) => [
    check('tickets_status_check', sql`${t.status} in ('new','open','pending','resolved','closed')`),
    check('tickets_priority_check', sql`${t.priority} in ('low','normal','high','urgent')`),
    uniqueIndex('tickets_client_request_uq').on(t.customerId, t.clientRequestId),
    // Every list walks one of these in `last_message_at DESC, id DESC` order (DESC is nulls first: an index
    // said NULLS LAST cannot serve that ORDER BY) and stops after a page (0006).
    index('tickets_last_message_idx').on(...recentFirst(t)),
    index('tickets_customer_last_message_idx').on(t.customerId, ...recentFirst(t)),
    index('tickets_status_last_message_idx').on(t.status, ...recentFirst(t)),
    index('tickets_priority_last_message_idx').on(t.priority, ...recentFirst(t)),
    index('tickets_category_last_message_idx').on(t.categoryId, ...recentFirst(t)),
    index('tickets_assignee_last_message_idx').on(t.assigneeId, ...recentFirst(t)),
    index('tickets_unassigned_last_message_idx')
      .on(...recentFirst(t))
      .where(sql`${t.assigneeId} is null and ${t.status} in ('new', 'open', 'pending')`),
    index('tickets_working_assignee_idx')
      .on(t.assigneeId, ...recentFirst(t))
      .where(sql`${t.status} in ('new', 'open', 'pending')`),
    index('tickets_search_idx').using('gin', t.search),
  ],
);

const { search: _search, ...readable } = getTableColumns(tickets);
/** The columns a ticket is read with: all but its search vector, which only filters searches. */
export const ticketColumns = readable;
