import { z } from 'zod';

/** Tags per ticket, at most. */
export const TAGS_MAX = 10;
/** A tag's length, at most (UTF-16 units). */
export const TAG_MAX = 32;

/**
 * A free tag: trimmed and lower-cased, then letters, digits, `_` and `-` (starting with a letter or digit),
 * 1 to 32 characters. The same word typed `Billing` or `billing ` is one tag.
 */
export const tagSchema = z
  .string()
  .transform((s) => s.trim().toLowerCase())
  .pipe(
    z
      .string()
      .min(1, 'must not be empty')
      .max(TAG_MAX, `must be at most ${TAG_MAX} characters`)
      .regex(/^[\p{L}\p{N}][\p{L}\p{N}_-]*$/u, 'letters, digits, _ and -, starting with a letter or digit'),
  )
  .describe(`a tag: trimmed, lower-cased; letters, digits, _ and -; 1 to ${TAG_MAX} characters`);

/** A ticket's tags as a client sends them: duplicates (after lower-casing) fold into one, order kept. */
export const tagsSchema = z
  .array(tagSchema)
  .max(TAGS_MAX, `at most ${TAGS_MAX} tags`)
  .transform((tags) => [...new Set(tags)]);

/** A tag and how many tickets carry it now (kept by a trigger, migration 0014). */
export const tagCountSchema = z.object({ name: z.string(), tickets: z.number().int().min(0) });
export type TagCount = z.infer<typeof tagCountSchema>;

export const listTagsQuerySchema = z.strictObject({
  /** The beginning of a tag's name (autocomplete). */
  q: z.string().max(TAG_MAX).optional(),
});

/** Admins rename a tag; a name another tag already has merges the two. */
export const renameTagInputSchema = z.strictObject({ name: tagSchema });
