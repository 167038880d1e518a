import { z } from 'zod';
import { idSchema, isoDateSchema, telegramIdSchema, textSchema } from './common';
import { tagsSchema } from './tags';
import { ticketPrioritySchema, ticketStatusSchema } from './ticket';
import { userSchema } from './user';

export const BULK_MAX = 100;

/**
 * One action on many tickets from the queue's multi-select. Tags are added and removed under each ticket's
 * row lock (no `version`): two agents tagging the same tickets at once both get their tags.
 */
export const bulkTicketsInputSchema = z
  .strictObject({
    ids: z
      .array(idSchema)
      .min(1, 'pick at least one ticket')
      .max(BULK_MAX, `at most ${BULK_MAX} tickets at once`)
      .transform((ids) => [...new Set(ids)]),
    addTags: tagsSchema.optional(),
    removeTags: tagsSchema.optional(),
    status: ticketStatusSchema.optional(),
    priority: ticketPrioritySchema.optional(),
    assigneeId: telegramIdSchema.nullable().optional(),
  })
  .refine((p) => Object.keys(p).some((k) => k !== 'ids'), {
    message: 'nothing to change',
    path: ['addTags'],
  });
export type BulkTicketsInput = z.output<typeof bulkTicketsInputSchema>;
/** What a bulk action does to one ticket (the `ids` apart). */
export type BulkAction = Omit<BulkTicketsInput, 'ids'>;

export const bulkResultSchema = z.object({
  items: z.array(
    z.object({
      id: idSchema,
      ok: z.boolean(),
      /** When not ok: why (`not_found`, `invalid_transition`, `validation`, …). */
      error: z.object({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
});

/** `POST /tickets/:id/merge`: the ticket in the path is closed into `into`. */
export const mergeTicketInputSchema = z.strictObject({ into: idSchema });

export const NOTE_MAX = 4000;
/** Staff's note about a customer: stays with the customer across tickets; null or "" clears it. */
export const updateCustomerInputSchema = z.strictObject({
  note: z.union([textSchema(NOTE_MAX, 0), z.null()]),
});

/** A ticket as the customer card lists it: the customer's history. */
export const customerTicketSchema = z.object({
  id: idSchema,
  subject: z.string(),
  status: ticketStatusSchema,
  tags: z.array(z.string()),
  createdAt: isoDateSchema,
  lastMessageAt: isoDateSchema,
  mergedIntoId: idSchema.nullable(),
  rating: z.number().int().min(1).max(5).nullable(),
  ratingComment: z.string().nullable(),
});
export type CustomerTicket = z.infer<typeof customerTicketSchema>;

/** How many of a customer's tickets the card lists (the newest). */
export const CUSTOMER_TICKETS_MAX = 50;

/** `GET /customers/:id` (staff): who they are in Telegram, their phone, the team's note, their tickets. */
export const customerCardSchema = userSchema.extend({
  /** Digits only, as Telegram shares it (without the `+`); null until the customer shares it. */
  phone: z.string().nullable(),
  /** true only when the customer shared their own contact (its user_id is theirs). */
  phoneVerified: z.boolean(),
  note: z.string().nullable(),
  noteUpdatedAt: isoDateSchema.nullable(),
  noteUpdatedBy: telegramIdSchema.nullable(),
  ticketCount: z.number().int().min(0),
  averageRating: z.number().nullable(),
  /** The newest CUSTOMER_TICKETS_MAX tickets, newest activity first. */
  tickets: z.array(customerTicketSchema),
});
export type CustomerCard = z.infer<typeof customerCardSchema>;

/** A phone as stored: its digits (Telegram sends `79991234567` or `+7 999 …`). */
export function phoneDigits(raw: string): string {
  return raw.replace(/[^0-9]/g, '');
}

/**
 * Whether a contact a user shared is their own: Telegram sets the contact's `user_id` to the sender's id only
 * for the `request_contact` button (or sharing oneself). A forwarded card, or anyone else's, is not.
 */
export function isOwnContact(senderId: number, contact: { user_id?: number }): boolean {
  return contact.user_id !== undefined && contact.user_id === senderId;
}

/** Admins: whether a customer shares their phone (the bot's request_contact button) before their first ticket. */
export const contactStepSchema = z.strictObject({ required: z.boolean() });
export type ContactStep = z.infer<typeof contactStepSchema>;
