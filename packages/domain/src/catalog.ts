import { z } from 'zod';
import { idSchema, isoDateSchema, telegramIdSchema, textSchema } from './common';

export const categorySchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string().nullable(),
  position: z.number().int(),
  archived: z.boolean(),
});
export type Category = z.infer<typeof categorySchema>;

export const createCategoryInputSchema = z.strictObject({
  name: textSchema(80),
  description: textSchema(300).nullable().optional(),
  position: z.number().int().min(0).max(10_000).optional(),
});
export const updateCategoryInputSchema = createCategoryInputSchema
  .partial()
  .extend({ archived: z.boolean().optional() })
  .strict()
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change', path: ['name'] });

export const cannedReplySchema = z.object({
  id: idSchema,
  ownerId: telegramIdSchema.nullable(),
  shortcut: z.string(),
  title: z.string(),
  body: z.string(),
  createdAt: isoDateSchema,
});
export type CannedReply = z.infer<typeof cannedReplySchema>;

export const cannedShortcutSchema = z
  .string()
  .regex(/^[a-z0-9_-]{1,32}$/, 'lowercase letters, digits, _ and -, at most 32');

export const createCannedReplyInputSchema = z.strictObject({
  shortcut: cannedShortcutSchema,
  title: textSchema(120),
  body: textSchema(4000),
  /** true: visible to every agent (admins only); false/absent: the author's own. */
  shared: z.boolean().optional(),
});
export const updateCannedReplyInputSchema = z
  .strictObject({
    shortcut: cannedShortcutSchema.optional(),
    title: textSchema(120).optional(),
    body: textSchema(4000).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'nothing to change', path: ['body'] });

export const ratingSchema = z.object({
  ticketId: idSchema,
  score: z.number().int().min(1).max(5),
  comment: z.string().nullable(),
  createdAt: isoDateSchema,
});
export type Rating = z.infer<typeof ratingSchema>;

export const rateTicketInputSchema = z.strictObject({
  score: z
    .number()
    .int('must be a whole number from 1 to 5')
    .min(1, 'must be from 1 to 5')
    .max(5, 'must be from 1 to 5'),
  comment: textSchema(1000).nullable().optional(),
});
