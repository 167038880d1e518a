import { z } from 'zod';
import { isoDateSchema, telegramIdSchema } from './common';
import { roleSchema } from './roles';
import { cleanText, telegramStringSchema } from './text';

export const languageSchema = z.enum(['ru', 'en']);
export type Language = z.infer<typeof languageSchema>;

/** Russian first (the rule lives in @tikethet/protocol, which the Mini App shares). */
export { languageFrom } from '@tikethet/protocol';

/**
 * The Telegram user as Telegram describes it (initData `user`, bot `from`). Its strings are cleaned, never
 * refused (text.ts): a name with a NUL is Telegram's to send, and refusing it would shut its owner out.
 */
export const telegramProfileSchema = z.object({
  id: telegramIdSchema,
  first_name: telegramStringSchema(256).default(''),
  last_name: telegramStringSchema(256).optional(),
  username: telegramStringSchema(64).optional(),
  language_code: telegramStringSchema(35).optional(),
  photo_url: z
    .string()
    .max(2048)
    .transform((s) => cleanText(s))
    .optional(),
  is_bot: z.boolean().optional(),
  is_premium: z.boolean().optional(),
});
export type TelegramProfile = z.infer<typeof telegramProfileSchema>;

export const userSchema = z.object({
  id: telegramIdSchema,
  firstName: z.string(),
  lastName: z.string().nullable(),
  username: z.string().nullable(),
  languageCode: z.string().nullable(),
  language: languageSchema,
  photoUrl: z.string().nullable(),
  role: roleSchema,
  /** Staff: `online` may be handed new tickets by auto-assignment, `away` gets none new. */
  availability: z.enum(['online', 'away']),
  createdAt: isoDateSchema,
});
export type User = z.infer<typeof userSchema>;

/** The short public face of a user shown beside tickets and messages. */
export const userSummarySchema = userSchema.pick({
  id: true,
  firstName: true,
  lastName: true,
  username: true,
  role: true,
});
export type UserSummary = z.infer<typeof userSummarySchema>;

export function displayName(user: Pick<User, 'firstName' | 'lastName' | 'username'>): string {
  const full = [user.firstName, user.lastName].filter(Boolean).join(' ').trim();
  return full || (user.username ? `@${user.username}` : 'User');
}

export const setRoleInputSchema = z.strictObject({ role: roleSchema });
