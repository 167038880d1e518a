import { getTableColumns, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  check,
  doublePrecision,
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
    // SLA timers (0009): the trigger tikethet_sla_maintain derives the due times from the facts below.
    slaFirstResponseDueAt: tstz('sla_first_response_due_at'),
    slaNextResponseDueAt: tstz('sla_next_response_due_at'),
    slaResolutionDueAt: tstz('sla_resolution_due_at'),
    /** The nearest of the three due times (`sort=due`, `sla=breached|due_soon`). */
    slaDueAt: tstz('sla_due_at'),
    slaBreachedAt: tstz('sla_breached_at'),
    slaPausedAt: tstz('sla_paused_at'),
    /** Business seconds spent pending since the resolution clock started (added to its due time). */
    slaPausedSeconds: doublePrecision('sla_paused_seconds').notNull().default(0),
    /** The oldest customer message no agent has answered yet (messages set and clear it). */
    slaAwaitingSince: tstz('sla_awaiting_since'),
    /** When the resolution clock started: creation, or the last reopen. */
    slaResolutionSince: tstz('sla_resolution_since'),
    /** The last alert the timer job sent (`warning:<due>` / `breach:<due>`), so a retried job sends none twice. */
    slaAlerted: text('sla_alerted'),
    /** The last out-of-hours auto-reply on this ticket (one per off-hours period). */
    autoRepliedAt: tstz('auto_replied_at'),
    /** Free tags, lower case (domain `tagSchema`); their counts live in `tags` (a trigger, 0014). */
    tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
    /** The ticket this one was merged (closed) into; never a ticket that is itself merged (chains are flattened). */
    mergedIntoId: integer('merged_into_id').references((): AnyPgColumn => tickets.id),
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
    // Running timers by due time, all and per assignee (0010).
    index('tickets_sla_due_idx').on(t.slaDueAt, t.id).where(sql`${t.slaDueAt} is not null`),
    index('tickets_assignee_sla_due_idx')
      .on(t.assigneeId, t.slaDueAt, t.id)
      .where(sql`${t.slaDueAt} is not null`),
    // `tag=` and the admins' rename walk this (0015); a common tag is read through the list's order instead.
    index('tickets_tags_idx').using('gin', t.tags),
    // The tickets export's range and cursor (0019).
    index('tickets_created_idx').on(t.createdAt, t.id),
    index('tickets_merged_into_idx').on(t.mergedIntoId).where(sql`${t.mergedIntoId} is not null`),
  ],
);

const { search: _search, ...readable } = getTableColumns(tickets);
/** The columns a ticket is read with: all but its search vector, which only filters searches. */
export const ticketColumns = readable;

const {
  clientRequestId: _clientRequestId,
  slaPausedSeconds: _slaPausedSeconds,
  slaAwaitingSince: _slaAwaitingSince,
  slaResolutionSince: _slaResolutionSince,
  slaAlerted: _slaAlerted,
  autoRepliedAt: _autoRepliedAt,
  ...listed
} = readable;
/**
 * The columns a list reads: what a ticket's JSON shows (mappers' `toTicket`) and the due time it may be
 * ordered by; not the SLA bookkeeping, the idempotency key or the auto-reply mark, which only writers use.
 */
export const ticketListColumns = listed;
