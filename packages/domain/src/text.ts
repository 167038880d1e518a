import { z } from 'zod';

/**
 * What Postgres and Telegram cannot take in a string, and the one place that deals with it.
 *
 * - NUL (U+0000): `text` refuses it (22021) and so does `jsonb` (22P05).
 * - A UTF-16 surrogate without its pair: UTF-8 cannot encode it (the driver silently writes U+FFFD into `text`)
 *   and `jsonb` refuses its `\udXXX` escape (22P02).
 * - Length: limits count UTF-16 code units (zod's `max`, Telegram's 4096), not characters.
 *
 * Input a person typed into a request (API bodies and queries) is refused, naming the field (`textProblem`
 * through the schemas); what Telegram tells us (profiles, messages, file names, raw updates) is cleaned
 * (`cleanText`, `cleanJson`), since nobody could correct it and Telegram would only deliver it again.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const HAS_LONE_SURROGATE = new RegExp(LONE_SURROGATE.source);

/** Why Postgres could not store `value` as is; null when it can. */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain NUL characters';
  if (HAS_LONE_SURROGATE.test(value)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

/** The first `max` UTF-16 code units of `value`, never half of a surrogate pair. */
export function cutUnits(value: string, max: number): string {
  if (value.length <= max) return value;
  const last = value.charCodeAt(max - 1);
  return value.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}

/** `value` in at most `max` UTF-16 code units; a cut one ends with "…". */
export function cutText(value: string, max: number): string {
  return value.length <= max ? value : `${cutUnits(value, max - 1)}…`;
}

/**
 * `value` as Postgres and Telegram take it: without NUL, lone surrogates as U+FFFD, and at most `max` UTF-16
 * code units (`cutText`).
 */
export function cleanText(value: string, max = Number.POSITIVE_INFINITY): string {
  return cutText(value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\uFFFD'), max);
}

/** How deep `cleanJson` follows a value; below it stands this mark (Telegram's updates are a few levels deep). */
const JSON_DEPTH = 32;
export const TOO_DEEP = '[too deep]';

/** A JSON value (a raw Telegram update) with every string and key cleaned, so `jsonb` stores it. */
export function cleanJson(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (!value || typeof value !== 'object') return value;
  if (depth >= JSON_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) return value.map((v) => cleanJson(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [cleanText(k), cleanJson(v, depth + 1)]));
}

/** A string Telegram sent (a name, a language code): cleaned and cut to `max`, never refused. */
export const telegramStringSchema = (max: number) => z.string().transform((s) => cleanText(s, max));

/** A string a person sent in a request: refused, naming the field, when Postgres could not store it. */
export const storableStringSchema = () =>
  z.string().superRefine((s, ctx) => {
    const problem = textProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
