import {
  type Actor,
  type BulkAction,
  ConflictError,
  canManageTags,
  canTriage,
  ForbiddenError,
  listTagsQuerySchema,
  type Message,
  NotFoundError,
  parseInput,
  renameTagInputSchema,
  TAGS_MAX,
  type TagCount,
  type Ticket,
  tagSchema,
  type UpdateTicketInput,
  ValidationError,
} from '@tikethet/domain';
import { and, asc, desc, gt, like, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { previewOf, toTicket } from '../mappers';
import { tags, tickets } from '../schema';
import { appendEvent, bumpTicket, changeTicket, lockTicket, type TicketRow, type TxScope } from '../scope';
import { writeMessages } from './message-writer';
import { listMessages } from './messages';
import { statusTimestamps, updateTicket } from './tickets';

/**
 * One ticket's part of a bulk action from the queue (the route runs each ticket in its own transaction, so one
 * refusal leaves the others done). Tags are added and removed against the row as locked, not against what the
 * client saw: two agents tagging the same tickets at once both get their tags.
 */
export async function bulkUpdateTicket(
  scope: TxScope,
  actor: Actor,
  ticketId: number,
  action: BulkAction,
): Promise<Ticket> {
  if (!canTriage(actor)) throw new ForbiddenError('bulk actions are for agents');
  const row = await lockTicket(scope, ticketId);
  if (!row) throw new NotFoundError('ticket');
  const patch: UpdateTicketInput = { version: row.version };
  if (action.addTags || action.removeTags) {
    const removed = new Set(action.removeTags ?? []);
    const next = [...new Set([...row.tags, ...(action.addTags ?? [])])].filter((t) => !removed.has(t));
    if (next.length > TAGS_MAX) {
      throw new ValidationError([{ path: 'addTags', message: `a ticket carries at most ${TAGS_MAX} tags` }]);
    }
    patch.tags = next;
  }
  if (action.status !== undefined) patch.status = action.status;
  if (action.priority !== undefined) patch.priority = action.priority;
  if (action.assigneeId !== undefined) patch.assigneeId = action.assigneeId;
  return updateTicket(scope, actor, ticketId, patch);
}

/** Tags on at least one ticket and the conditions given, most used first: reads `tags` only. */
function tagCounts(q: Queryable, limit: number, prefix?: string): Promise<TagCount[]> {
  const conditions = [gt(tags.tickets, 0)];
  if (prefix) conditions.push(like(tags.name, `${prefix.replace(/[\\%_]/g, (c: string) => `\\${c}`)}%`));
  return q
    .select({ name: tags.name, tickets: tags.tickets })
    .from(tags)
    .where(and(...conditions))
    .orderBy(desc(tags.tickets), asc(tags.name))
    .limit(limit);
}

/** Tags in use, most used first (at most 100); `q`: names starting with it (autocomplete). */
export async function listTags(q: Queryable, actor: Actor, rawQuery: unknown = {}): Promise<TagCount[]> {
  if (!canTriage(actor)) throw new ForbiddenError('tags are for agents');
  const query = parseInput(listTagsQuerySchema, rawQuery ?? {});
  return tagCounts(q, 100, query.q?.trim().toLowerCase());
}

/** The most used tags now, for the stats. */
export function topTags(q: Queryable, limit = 20): Promise<TagCount[]> {
  return tagCounts(q, limit);
}

/**
 * Admins rename a tag on every ticket that carries it; when the new name is already a tag the two merge (a
 * ticket with both keeps one). Every changed ticket gets a new version and a `ticket.updated` event, so open
 * screens follow. The tickets are locked in id order before any is written (no deadlock with other writers).
 */
export async function renameTag(
  scope: TxScope,
  actor: Actor,
  rawName: string,
  rawInput: unknown,
): Promise<TagCount> {
  if (!canManageTags(actor)) throw new ForbiddenError('only admins rename tags');
  const from = parseInput(tagSchema, rawName, 'name');
  const { name: to } = parseInput(renameTagInputSchema, rawInput);
  const rows = await scope.tx
    .select()
    .from(tickets)
    .where(sql`${tickets.tags} @> array[${from}]::text[]`)
    .orderBy(asc(tickets.id))
    .for('update');
  if (rows.length === 0) {
    const known = await scope.tx.select().from(tags).where(sql`${tags.name} = ${from}`);
    if (!known[0]) throw new NotFoundError('tag');
  }
  if (from !== to) {
    for (const row of rows) {
      const next = [...new Set(row.tags.map((t) => (t === from ? to : t)))];
      await changeTicket(scope, row, { tags: next }, { actorId: actor.id, changes: ['tags'] });
    }
  }
  const counted = await scope.tx.select().from(tags).where(sql`${tags.name} = ${to}`);
  return { name: to, tickets: counted[0]?.tickets ?? 0 };
}

/** Every message of a ticket in seq order, notes included (staff's read), page by page. */
async function allMessages(q: Queryable, actor: Actor, ticketId: number): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const after = all[all.length - 1]?.seq ?? 0;
    const page = await listMessages(q, actor, ticketId, { after: String(after), limit: '200' });
    all.push(...page);
    if (page.length < 200) return all;
  }
}

export interface MergeResult {
  /** The ticket merged away: closed, `mergedIntoId` set. */
  merged: Ticket;
  /** The ticket that goes on, with the other's messages after its own. */
  into: Ticket;
}

/**
 * Closes `ticketId` into `intoId` (same customer): its messages move to the end of the other's conversation in
 * their order, each with a new seq and a `message.created` event that says where it came from (followers of
 * the survivor see them once, in order); a system message says what happened; the survivor takes the union of
 * the tags. The merged ticket is closed with `mergedIntoId` in one `ticket.updated` event (changes
 * `mergedIntoId`), which tells every client following it to move over. Its events stay in its log (history).
 * Telegram replies to its old messages land in the survivor: the bot's lookup follows `mergedIntoId`, and
 * tickets merged into this one earlier now point at the survivor (one hop, always).
 */
export async function mergeTickets(
  scope: TxScope,
  actor: Actor,
  ticketId: number,
  intoId: number,
): Promise<MergeResult> {
  if (!canTriage(actor)) throw new ForbiddenError('merging tickets is for agents');
  if (ticketId === intoId) {
    throw new ValidationError([{ path: 'into', message: 'a ticket cannot be merged into itself' }]);
  }
  // Both rows locked, lower id first (two merges of the same pair in opposite directions cannot deadlock).
  const [first, second] = ticketId < intoId ? [ticketId, intoId] : [intoId, ticketId];
  const locked = new Map<number, TicketRow>();
  for (const id of [first, second]) {
    const row = await lockTicket(scope, id);
    if (row) locked.set(id, row);
  }
  const source = locked.get(ticketId);
  const target = locked.get(intoId);
  if (!source) throw new NotFoundError('ticket');
  if (!target) throw new ValidationError([{ path: 'into', message: 'no such ticket' }]);
  if (source.mergedIntoId !== null) {
    throw new ConflictError('already_merged', `this ticket was merged into #${source.mergedIntoId}`, {
      mergedIntoId: source.mergedIntoId,
    });
  }
  if (target.mergedIntoId !== null) {
    const message = `#${target.id} was merged into #${target.mergedIntoId}; merge into that one`;
    throw new ValidationError([{ path: 'into', message }]);
  }
  if (target.customerId !== source.customerId) {
    const message = "belongs to another customer: only one customer's tickets merge";
    throw new ValidationError([{ path: 'into', message }]);
  }

  const moving = await allMessages(scope.tx, actor, source.id);
  const count = moving.length;
  const tagsAfter = [...new Set([...target.tags, ...source.tags])].slice(0, TAGS_MAX);
  // Seqs for the moved messages, taken at once after the survivor's own.
  const bumped = await bumpTicket(scope, target.id, count, {
    tags: tagsAfter,
    lastMessageAt: sql`greatest(${tickets.lastMessageAt}, ${source.lastMessageAt}::timestamptz)`,
    version: target.version + 1,
    updatedAt: sql`now()`,
  });
  const base = bumped.lastSeq - count + 1;
  if (count > 0) {
    // One statement renumbers them in their order; a Mini App idempotency key the survivor already holds is
    // dropped from the moved copy (it has done its work: the message exists).
    await scope.tx.execute(sql`update messages m
      set ticket_id = ${target.id}, seq = ${base} + o.rn - 1,
        client_message_id = case when exists (select 1 from messages x where x.ticket_id = ${target.id}
          and x.client_message_id = m.client_message_id) then null else m.client_message_id end
      from (select id, row_number() over (order by seq) as rn from messages where ticket_id = ${source.id}) o
      where m.id = o.id`);
  }
  for (const [i, message] of moving.entries()) {
    await appendEvent(scope, bumped, base + i, {
      type: 'message.created',
      internal: message.internal,
      actorId: message.authorId,
      data: { message: { ...message, ticketId: target.id, seq: base + i }, mergedFrom: source.id },
    });
  }
  // A system line in the survivor's conversation says what happened (the one message writer adds it).
  await writeMessages(scope, [
    {
      ticket: bumped,
      kind: 'system',
      author: null,
      body: `#${source.id} «${source.subject}» merged into this ticket (${count} messages).`,
      via: 'miniapp',
    },
  ]);
  const after = await bumpTicket(scope, target.id, 1);
  const into = toTicket(after);
  await appendEvent(scope, after, after.lastSeq, {
    type: 'ticket.updated',
    internal: false,
    actorId: actor.id,
    data: { ticket: into, changes: ['merged'] },
  });
  // Tickets merged into this one before now point straight at the survivor.
  await scope.tx.execute(
    sql`update tickets set merged_into_id = ${target.id} where merged_into_id = ${source.id}`,
  );
  const closing =
    source.status === 'closed'
      ? {}
      : { status: 'closed' as const, ...statusTimestamps(source.status, 'closed') };
  const merged = await changeTicket(
    scope,
    source,
    { ...closing, mergedIntoId: target.id, lastMessagePreview: previewOf(`→ #${target.id}`) },
    {
      actorId: actor.id,
      changes: source.status === 'closed' ? ['mergedIntoId'] : ['status', 'mergedIntoId'],
    },
  );
  return { merged, into };
}
