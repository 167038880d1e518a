import { z } from 'zod';
import { storableStringSchema } from './text';

/** Telegram user ids fit in 52 bits; they are positive integers. */
export const telegramIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const idSchema = z.number().int().positive().max(2_147_483_647);
/** Ids that arrive as path or query strings ("42"). */
export const idParamSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')
  .transform(Number)
  .pipe(idSchema);
export const telegramIdParamSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive integer')
  .transform(Number)
  .pipe(telegramIdSchema);
export const isoDateSchema = z.string();
/** A client-chosen idempotency key: printable, short. */
export const clientMessageIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : -');

/** Text a person typed: trimmed, bounded, refused when Postgres could not store it (text.ts). */
export function textSchema(max: number, min = 1) {
  return z
    .string()
    .transform((s) => s.trim())
    .pipe(
      storableStringSchema()
        .min(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
        .max(max, `must be at most ${max} characters`),
    )
    .describe(`text, trimmed; then ${min} to ${max} characters (UTF-16 units), no NUL or unpaired surrogate`);
}
