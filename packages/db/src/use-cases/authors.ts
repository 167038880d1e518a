import { eq, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { users } from '../schema';
import type { AuthorRow, TxScope } from '../scope';
import { prepared } from '../statements';

/**
 * Who wrote a message, as messages carry it (name and role). The one author cache is the transaction's own
 * (`scope.authors`): the users it wrote (upserts, the bot's senders) are known authors for the rest of it,
 * and a role change in it forgets the user. Nothing is cached across transactions: a name may change.
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
