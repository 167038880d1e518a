import { z } from 'zod';
import { clientMessageIdSchema, idSchema, isoDateSchema, telegramIdSchema, textSchema } from './common';
import { tagSchema, tagsSchema } from './tags';
import { storableStringSchema } from './text';
import { userSummarySchema } from './user';

export const ticketStatuses = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export const ticketStatusSchema = z.enum(ticketStatuses);
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

export const ticketPriorities = ['low', 'normal', 'high', 'urgent'] as const;
export const ticketPrioritySchema = z.enum(ticketPriorities);
export type TicketPriority = z.infer<typeof ticketPrioritySchema>;

/** The timers of a ticket, as its JSON carries them (ISO instants or null). */
export const ticketSlaSchema = z.object({
  /** Until the first agent reply. */
  firstResponseDueAt: z.string().nullable(),
  /** While a customer's message waits for an agent's answer (after the first response). */
  nextResponseDueAt: z.string().nullable(),
  /** Until resolved; null while pending (the clock is paused) and once resolved or closed. */
  resolutionDueAt: z.string().nullable(),
  /** When the ticket first missed a target (kept after it is answered). */
  breachedAt: z.string().nullable(),
  /** Since when the resolution clock is paused (the ticket is pending), else null. */
  pausedAt: z.string().nullable(),
});
export type TicketSla = z.infer<typeof ticketSlaSchema>;

export const ticketSchema = z.object({
  id: idSchema,
  subject: z.string(),
  status: ticketStatusSchema,
  priority: ticketPrioritySchema,
  categoryId: idSchema.nullable(),
  customerId: telegramIdSchema,
  assigneeId: telegramIdSchema.nullable(),
  version: z.number().int(),
  lastSeq: z.number().int(),
  source: z.enum(['miniapp', 'bot']),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
  lastMessageAt: isoDateSchema,
  lastMessagePreview: z.string().nullable(),
  firstResponseAt: isoDateSchema.nullable(),
  resolvedAt: isoDateSchema.nullable(),
  closedAt: isoDateSchema.nullable(),
  rating: z.number().int().min(1).max(5).nullable(),
  sla: ticketSlaSchema,
  /** Free tags (staff set them; customers see them on their own tickets too). Absent in events written before 0014. */
  tags: z.array(z.string()).default([]),
  /** Set when the ticket was merged (closed) into another: where its conversation went on. */
  mergedIntoId: idSchema.nullable().default(null),
});
export type Ticket = z.infer<typeof ticketSchema>;

export const ticketDetailSchema = ticketSchema.extend({
  customer: userSummarySchema.extend({
    languageCode: z.string().nullable(),
    photoUrl: z.string().nullable(),
    ticketCount: z.number().int(),
    averageRating: z.number().nullable(),
    /** Staff only (null for the customer): the shared phone and the team's note about the customer. */
    phone: z.string().nullable(),
    phoneVerified: z.boolean(),
    note: z.string().nullable(),
  }),
  /** The customer's rating comment (CSAT), when they left one. */
  ratingComment: z.string().nullable(),
  assignee: userSummarySchema.nullable(),
  /** Staff only: the ticket's topic in the agents' forum group (null: none); absent for customers. */
  topic: z.object({ chatId: z.number().int(), threadId: z.number().int() }).nullable().optional(),
});
export type TicketDetail = z.infer<typeof ticketDetailSchema>;

export const SUBJECT_MAX = 200;
export const BODY_MAX = 4000;

export const createTicketInputSchema = z.strictObject({
  subject: textSchema(SUBJECT_MAX),
  body: textSchema(BODY_MAX),
  categoryId: idSchema.nullable().optional(),
  priority: ticketPrioritySchema.optional(),
  clientMessageId: clientMessageIdSchema.optional(),
});
export type CreateTicketInput = z.input<typeof createTicketInputSchema>;

export const updateTicketInputSchema = z
  .strictObject({
    status: ticketStatusSchema.optional(),
    priority: ticketPrioritySchema.optional(),
    categoryId: idSchema.nullable().optional(),
    assigneeId: telegramIdSchema.nullable().optional(),
    tags: tagsSchema.optional(),
    version: z.number().int().min(0),
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'version'), {
    message: 'nothing to change',
    path: ['status'],
  });
export type UpdateTicketInput = z.input<typeof updateTicketInputSchema>;

/** The fields of a patch a customer may send: only a status (close or reopen) and the version. */
export const customerUpdateTicketInputSchema = z.strictObject({
  status: z.enum(['open', 'closed']),
  version: z.number().int().min(0),
});

export const assigneeFilterSchema = z.union([z.enum(['me', 'none']), z.string().regex(/^[1-9][0-9]{0,15}$/)]);

export const listTicketsQuerySchema = z.strictObject({
  status: z
    .union([ticketStatusSchema, z.string().regex(/^[a-z]+(,[a-z]+)*$/)])
    .transform((s) => s.split(','))
    .pipe(z.array(ticketStatusSchema).min(1).max(5))
    .optional(),
  priority: ticketPrioritySchema.optional(),
  category: z
    .union([z.literal('none'), z.string().regex(/^[1-9][0-9]{0,9}$/, 'must be a category id or none')])
    .optional(),
  assignee: assigneeFilterSchema.optional(),
  customer: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a Telegram user id')
    .optional(),
  /** Staff: only tickets carrying this tag. */
  tag: tagSchema.optional(),
  q: storableStringSchema().trim().max(200).optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, 'must be an integer from 1 to 100')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(100, 'must be at most 100'))
    .optional(),
  cursor: z.string().max(200).optional(),
  /** Staff: tickets past their nearest SLA due time (`breached`) or within the next hour of it (`due_soon`). */
  sla: z.enum(['breached', 'due_soon']).optional(),
  /** `recent` (default: newest activity first) or `due` (staff: the nearest SLA due time first). */
  sort: z.enum(['recent', 'due']).optional(),
});
export type ListTicketsQuery = z.output<typeof listTicketsQuerySchema>;

/** A ticket in a list, with how many messages from the other side the caller has not read. */
export const ticketListItemSchema = ticketSchema.extend({
  unread: z.number().int().min(0),
  /** Who wrote in (agents' queue rows show the name). */
  customer: userSummarySchema,
  /**
   * Search results only (`q`): the best matching message and a plain-text snippet of it around the match;
   * null when the ticket matched by number, subject or customer name.
   */
  match: z.object({ messageId: z.number().int().positive(), snippet: z.string() }).nullable().optional(),
});
export type TicketListItem = z.infer<typeof ticketListItemSchema>;

export interface TicketPage {
  items: TicketListItem[];
  nextCursor: string | null;
}
