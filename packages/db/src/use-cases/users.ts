import {
  type Actor,
  ConflictError,
  canManageAgents,
  ForbiddenError,
  NotFoundError,
  parseInput,
  type Role,
  roleSchema,
  type TelegramProfile,
  telegramProfileSchema,
  type User,
} from '@tikethet/domain';
import { and, asc, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { toUser } from '../mappers';
import { users } from '../schema';
import type { TxScope } from '../scope';
import { prepared } from '../statements';
import { forgetAuthor, rememberAuthor } from './authors';

export interface UpsertUserOptions {
  /** Telegram ids that are admins by configuration (ADMIN_TELEGRAM_IDS). */
  adminIds?: readonly number[];
  /** The private chat with the bot, when the profile came from the bot. */
  botChatId?: number;
}

/** The row a Telegram profile writes: always a customer unless the id is a configured admin. */
export function profileValues(profile: TelegramProfile, options: UpsertUserOptions = {}) {
  const p = parseInput(telegramProfileSchema, profile, 'user');
  const isAdmin = (options.adminIds ?? []).includes(p.id);
  return {
    id: p.id,
    firstName: p.first_name,
    lastName: p.last_name ?? null,
    username: p.username ?? null,
    languageCode: p.language_code ?? null,
    photoUrl: p.photo_url ?? null,
    role: (isAdmin ? 'admin' : 'customer') as Role,
    ...(options.botChatId !== undefined ? { botChatId: options.botChatId } : {}),
  };
}

/**
 * What an upsert of a known user changes: the new profile overwrites the old, the chat only when given, and
 * the role stays unless this id is a configured admin (inserted as 'admin'). Nothing in a profile can
 * change a role.
 */
export function profileUpdateSet(withChat: boolean) {
  return {
    firstName: sql.raw('excluded.first_name'),
    lastName: sql.raw('excluded.last_name'),
    username: sql.raw('excluded.username'),
    languageCode: sql.raw('excluded.language_code'),
    photoUrl: sql.raw('excluded.photo_url'),
    ...(withChat ? { botChatId: sql.raw('excluded.bot_chat_id') } : {}),
    role: sql`case when excluded.role = 'admin' then 'admin' else ${users.role} end`,
    updatedAt: sql`now()`,
  };
}

/** Records the Telegram profile (name, username, language, photo); see `profileUpdateSet` for the role. */
export async function upsertUser(
  scope: TxScope,
  profile: TelegramProfile,
  options: UpsertUserOptions = {},
): Promise<User> {
  const values = profileValues(profile, options);
  const withChat = options.botChatId !== undefined;
  const name = withChat ? 'tt_upsert_user_chat' : 'tt_upsert_user';
  // Prepared once per connection (the bot upserts on every update).
  const upsert = prepared(scope.tx, name, (q) =>
    q
      .insert(users)
      .values({
        id: sql.placeholder('id'),
        firstName: sql.placeholder('firstName'),
        lastName: sql.placeholder('lastName'),
        username: sql.placeholder('username'),
        languageCode: sql.placeholder('languageCode'),
        photoUrl: sql.placeholder('photoUrl'),
        role: sql.placeholder('role'),
        ...(withChat ? { botChatId: sql.placeholder('botChatId') } : {}),
      })
      .onConflictDoUpdate({ target: users.id, set: profileUpdateSet(withChat) })
      .returning()
      .prepare(name),
  );
  const rows = await upsert.execute(values);
  const row = rows[0];
  if (!row) throw new Error('user upsert returned nothing');
  rememberAuthor(scope, row);
  return toUser(row);
}

export async function getUser(q: Queryable, id: number): Promise<User | null> {
  const rows = await q.select().from(users).where(eq(users.id, id));
  return rows[0] ? toUser(rows[0]) : null;
}

/**
 * The stored roles of many users in one query (the gateway re-checks its live sockets with it); ids without a
 * row are left out of the map.
 */
export async function rolesOf(q: Queryable, ids: readonly number[]): Promise<Map<number, Role>> {
  if (ids.length === 0) return new Map();
  const rows = await q
    .select({ id: users.id, role: users.role })
    .from(users)
    .where(sql`${users.id} = any(${sql.param([...ids])}::bigint[])`);
  return new Map(rows.map((row) => [row.id, row.role]));
}

/** The private chat where the bot can reach the user (if they ever wrote to it), with their language. */
export async function getBotChat(
  q: Queryable,
  id: number,
): Promise<{ chatId: number; languageCode: string | null } | null> {
  const rows = await q
    .select({ chatId: users.botChatId, languageCode: users.languageCode })
    .from(users)
    .where(eq(users.id, id));
  const row = rows[0];
  return row?.chatId ? { chatId: row.chatId, languageCode: row.languageCode } : null;
}

/** The private chat where the bot can reach the user, if the user has ever written to it. */
export async function getBotChatId(q: Queryable, id: number): Promise<number | null> {
  return (await getBotChat(q, id))?.chatId ?? null;
}

/** Admins change roles. An admin cannot change their own role (no locking the team out by accident). */
export async function setRole(scope: TxScope, actor: Actor, targetId: number, role: Role): Promise<User> {
  if (!canManageAgents(actor)) throw new ForbiddenError('only admins change roles');
  const parsedRole = parseInput(roleSchema, role, 'role');
  if (targetId === actor.id) throw new ConflictError('conflict', 'you cannot change your own role');
  const rows = await scope.tx
    .update(users)
    .set({ role: parsedRole, updatedAt: sql`now()` })
    .where(eq(users.id, targetId))
    .returning();
  const row = rows[0];
  if (!row) throw new NotFoundError('user');
  forgetAuthor(scope, targetId);
  scope.extra.push({ kind: 'role_changed', userId: targetId, role: parsedRole });
  return toUser(row);
}

export interface ListUsersQuery {
  roles?: Role[];
  q?: string;
  limit?: number;
}

/** Staff list for admins; with `q` it also finds customers to promote (by name, @username or id). */
export async function listUsers(q: Queryable, actor: Actor, query: ListUsersQuery = {}): Promise<User[]> {
  if (!canManageAgents(actor)) throw new ForbiddenError('only admins list agents');
  const conditions = [];
  if (query.roles && query.roles.length > 0) conditions.push(inArray(users.role, query.roles));
  if (query.q) {
    const term = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/^@/, '')}%`;
    const asId = /^[0-9]{1,16}$/.test(query.q) ? Number(query.q) : undefined;
    conditions.push(
      or(
        ilike(users.firstName, term),
        ilike(users.lastName, term),
        ilike(users.username, term),
        ...(asId ? [eq(users.id, asId)] : []),
      ),
    );
  }
  const rows = await q
    .select()
    .from(users)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(sql`case ${users.role} when 'admin' then 0 when 'agent' then 1 else 2 end`, asc(users.firstName))
    .limit(Math.min(query.limit ?? 200, 500));
  return rows.map(toUser);
}
