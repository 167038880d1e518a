import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { users } from '../schema';
import type { AuthorRow, TxScope } from '../scope';
import { prepared } from '../statements';

/**
 * Who wrote a message, as messages carry it (name and role). Two author caches, both here: the transaction's
 * own (`scope.authors`): the users it wrote (upserts, the bot's senders) are known authors for the rest of
 * it, and a role change in it forgets the user; and the authors last seen by the one-message statement
 * (`seenAuthor`), which it trusts only after checking the row still says the same (a name may change).
 */
export const authorColumns = {
  id: users.id,
  firstName: users.firstName,
  lastName: users.lastName,
  username: users.username,
  role: users.role,
};

/** Keeps the user as a known author for the rest of the transaction (messages by them need no read). */
export function rememberAuthor(scope: TxScope, row: AuthorRow): void {
  scope.authors ??= new Map();
  scope.authors.set(row.id, {
    id: row.id,
    firstName: row.firstName,
    lastName: row.lastName,
    username: row.username,
    role: row.role,
  });
}

/** The user changed in a way messages show (role): read them again next time. */
export function forgetAuthor(scope: TxScope, id: number): void {
  scope.authors?.delete(id);
}

/** The author as the transaction knows them, else as stored; null for no author (or an unknown id). */
export async function authorOf(q: Queryable, authorId: number | null, scope?: TxScope) {
  if (authorId === null) return null;
  const seen = scope?.authors?.get(authorId);
  if (seen) return seen;
  const select = prepared(q, 'tt_message_author', (h) =>
    h
      .select(authorColumns)
      .from(users)
      .where(eq(users.id, sql.placeholder('id')))
      .prepare('tt_message_author'),
  );
  const rows = await select.execute({ id: authorId });
  return rows[0] ?? null;
}

// Authors as the one-message statement last saw them, per database (bounded: the oldest go first).
const seenAuthors = new WeakMap<object, Map<number, AuthorRow>>();
const SEEN_AUTHORS_MAX = 10_000;

/**
 * The author as last seen (else as stored, then remembered). Only for a statement that checks the row still
 * says the same before it writes their name; when it does not, `unseeAuthor` and read them again.
 */
export async function seenAuthor(q: Queryable, id: number): Promise<AuthorRow | null> {
  let seen = seenAuthors.get(q);
  if (!seen) {
    seen = new Map();
    seenAuthors.set(q, seen);
  }
  const known = seen.get(id);
  if (known) return known;
  const author = await authorOf(q, id);
  if (!author) return null;
  if (seen.size >= SEEN_AUTHORS_MAX) seen.delete(seen.keys().next().value as number);
  seen.set(id, author);
  return author;
}

export function unseeAuthor(q: Queryable, id: number): void {
  seenAuthors.get(q)?.delete(id);
}
