import { type Actor, canViewDeadLetters, cleanJson, cleanText, ForbiddenError } from '@tikethet/domain';
import { desc, lt } from 'drizzle-orm';
import type { Queryable } from '../client';
import { isConnectionError } from '../retry';
import { deadLetters } from '../schema';
import type { TxScope } from '../scope';
import { claimTelegramUpdate } from './telegram';

/**
 * SQLSTATEs that say "not now" rather than "never": serialization failure, deadlock, lock not available,
 * cancelled statement (statement_timeout), a shutting down or starting server, too many connections, out of
 * resources. Connection exceptions (class 08, dropped sockets) are `isConnectionError`.
 */
const TRANSIENT_SQLSTATES = new Set(['40001', '40P01', '55P03', '57014', '57P01', '57P02', '57P03']);
const TRANSIENT_CLASSES = ['08', '53'];
const TRANSIENT_MESSAGES = ['Cannot use a pool after calling end on the pool'];

/** The errors down a cause chain (drizzle wraps the driver's), outermost first. */
function chainOf(error: unknown): Array<{ code?: unknown; message?: unknown; name?: unknown }> {
  const chain = [];
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 4; depth += 1) {
    chain.push(e as { code?: unknown; message?: unknown; name?: unknown });
    e = (e as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * Whether a failure may go away by itself (the database unreachable, restarting or busy): the update is
 * tried again (webhook 5xx, polling keeps its offset). Anything else is the update's own doing or a bug, and
 * retrying it would stop the queue behind it for good.
 */
export function isTransientFailure(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  return chainOf(error).some(
    ({ code, message }) =>
      (typeof code === 'string' &&
        (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_CLASSES.includes(code.slice(0, 2)))) ||
      (typeof message === 'string' && TRANSIENT_MESSAGES.some((m) => message.startsWith(m))),
  );
}

/** What went wrong, for an admin: the innermost error (the driver's, not drizzle's statement and values). */
export function describeFailure(error: unknown): string {
  const inner = chainOf(error).at(-1);
  if (!inner) return String(error);
  const name = typeof inner.name === 'string' ? inner.name : 'Error';
  const code = typeof inner.code === 'string' ? ` ${inner.code}` : '';
  return `${name}${code}: ${String(inner.message ?? '')}`;
}

export const DEAD_LETTER_ERROR_MAX = 2000;

/**
 * Keeps an update that cannot be processed, and claims its update_id in the same transaction so a redelivery
 * is a duplicate. false: it was claimed already (processed, or dead-lettered by another delivery).
 */
export async function recordDeadLetter(
  scope: TxScope,
  letter: { updateId: number; update: unknown; error: string },
): Promise<boolean> {
  if (!(await claimTelegramUpdate(scope, letter.updateId))) return false;
  await scope.tx
    .insert(deadLetters)
    .values({
      updateId: letter.updateId,
      update: cleanJson(letter.update),
      error: cleanText(letter.error, DEAD_LETTER_ERROR_MAX),
    })
    .onConflictDoNothing();
  return true;
}

export interface DeadLetter {
  id: number;
  updateId: number;
  update: unknown;
  error: string;
  createdAt: string;
}

export interface DeadLetterPage {
  items: DeadLetter[];
  /** Pass as `before` for the next (older) page; null on the last. */
  nextCursor: string | null;
}

/** Dead letters, newest first, `limit` at a time, older than the dead letter `before` when given. Admins only. */
export async function listDeadLetters(
  q: Queryable,
  actor: Actor,
  page: { limit?: number; before?: number } = {},
): Promise<DeadLetterPage> {
  if (!canViewDeadLetters(actor)) throw new ForbiddenError('dead letters are for admins');
  const limit = page.limit ?? 20;
  const rows = await q
    .select()
    .from(deadLetters)
    .where(page.before === undefined ? undefined : lt(deadLetters.id, page.before))
    .orderBy(desc(deadLetters.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? String(last.id) : null };
}
