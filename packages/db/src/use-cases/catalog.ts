import {
  type Actor,
  type CannedReply,
  type Category,
  ConflictError,
  canCreateSharedCannedReply,
  canManageCannedReply,
  canManageCategories,
  canReadCannedReplies,
  createCannedReplyInputSchema,
  createCategoryInputSchema,
  ForbiddenError,
  isStaff,
  NotFoundError,
  parseInput,
  updateCannedReplyInputSchema,
  updateCategoryInputSchema,
} from '@tikethet/domain';
import { and, asc, eq, isNull, or } from 'drizzle-orm';
import type { Queryable } from '../client';
import { toCannedReply, toCategory } from '../mappers';
import { cannedReplies, categories } from '../schema';
import type { TxScope } from '../scope';

function isUniqueViolation(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string }; code?: string }) ?? {};
  return cause.code === '23505' || cause.cause?.code === '23505';
}

/** Active categories for everyone; staff may ask for archived ones too. */
export async function listCategories(
  q: Queryable,
  actor: Actor,
  includeArchived = false,
): Promise<Category[]> {
  const rows = await q
    .select()
    .from(categories)
    .where(includeArchived && isStaff(actor.role) ? undefined : eq(categories.archived, false))
    .orderBy(asc(categories.position), asc(categories.id));
  return rows.map(toCategory);
}

export async function createCategory(scope: TxScope, actor: Actor, raw: unknown): Promise<Category> {
  if (!canManageCategories(actor)) throw new ForbiddenError('only admins manage categories');
  const input = parseInput(createCategoryInputSchema, raw);
  try {
    const rows = await scope.tx
      .insert(categories)
      .values({ name: input.name, description: input.description ?? null, position: input.position ?? 0 })
      .returning();
    const row = rows[0];
    if (!row) throw new Error('category insert returned nothing');
    return toCategory(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError('conflict', 'a category with this name exists', { field: 'name' });
    throw error;
  }
}

export async function updateCategory(
  scope: TxScope,
  actor: Actor,
  id: number,
  raw: unknown,
): Promise<Category> {
  if (!canManageCategories(actor)) throw new ForbiddenError('only admins manage categories');
  const input = parseInput(updateCategoryInputSchema, raw);
  try {
    const rows = await scope.tx.update(categories).set(input).where(eq(categories.id, id)).returning();
    const row = rows[0];
    if (!row) throw new NotFoundError('category');
    return toCategory(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError('conflict', 'a category with this name exists', { field: 'name' });
    throw error;
  }
}

/** Categories are archived, not deleted: tickets keep pointing at them. */
export async function archiveCategory(scope: TxScope, actor: Actor, id: number): Promise<Category> {
  return updateCategory(scope, actor, id, { archived: true });
}

/** Shared replies plus the caller's own. */
export async function listCannedReplies(q: Queryable, actor: Actor): Promise<CannedReply[]> {
  if (!canReadCannedReplies(actor)) throw new ForbiddenError('canned replies are for agents');
  const rows = await q
    .select()
    .from(cannedReplies)
    .where(or(isNull(cannedReplies.ownerId), eq(cannedReplies.ownerId, actor.id)))
    .orderBy(asc(cannedReplies.shortcut), asc(cannedReplies.id));
  return rows.map(toCannedReply);
}

export async function createCannedReply(scope: TxScope, actor: Actor, raw: unknown): Promise<CannedReply> {
  if (!canReadCannedReplies(actor)) throw new ForbiddenError('canned replies are for agents');
  const input = parseInput(createCannedReplyInputSchema, raw);
  if (input.shared && !canCreateSharedCannedReply(actor))
    throw new ForbiddenError('only admins create shared replies');
  try {
    const rows = await scope.tx
      .insert(cannedReplies)
      .values({
        ownerId: input.shared ? null : actor.id,
        shortcut: input.shortcut,
        title: input.title,
        body: input.body,
      })
      .returning();
    const row = rows[0];
    if (!row) throw new Error('canned reply insert returned nothing');
    return toCannedReply(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError('conflict', 'this shortcut is taken', { field: 'shortcut' });
    throw error;
  }
}

async function loadManageable(scope: TxScope, actor: Actor, id: number) {
  const rows = await scope.tx.select().from(cannedReplies).where(eq(cannedReplies.id, id));
  const row = rows[0];
  // Another agent's private reply is "not found", like any object the caller may not see.
  if (!row || (row.ownerId !== null && row.ownerId !== actor.id && actor.role !== 'admin')) {
    throw new NotFoundError('canned reply');
  }
  if (!canManageCannedReply(actor, row)) throw new ForbiddenError('only admins change shared replies');
  return row;
}

export async function updateCannedReply(
  scope: TxScope,
  actor: Actor,
  id: number,
  raw: unknown,
): Promise<CannedReply> {
  if (!canReadCannedReplies(actor)) throw new ForbiddenError('canned replies are for agents');
  const input = parseInput(updateCannedReplyInputSchema, raw);
  await loadManageable(scope, actor, id);
  try {
    const rows = await scope.tx.update(cannedReplies).set(input).where(eq(cannedReplies.id, id)).returning();
    const row = rows[0];
    if (!row) throw new NotFoundError('canned reply');
    return toCannedReply(row);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ConflictError('conflict', 'this shortcut is taken', { field: 'shortcut' });
    throw error;
  }
}

export async function deleteCannedReply(scope: TxScope, actor: Actor, id: number): Promise<void> {
  if (!canReadCannedReplies(actor)) throw new ForbiddenError('canned replies are for agents');
  await loadManageable(scope, actor, id);
  await scope.tx.delete(cannedReplies).where(and(eq(cannedReplies.id, id)));
}
