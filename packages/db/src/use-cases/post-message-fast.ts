import {
  type Actor,
  acceptsMessage,
  canPostMessage,
  canViewTicket,
  type MessageKind,
  type NewTicketEvent,
  type PostMessageInput,
  parseInput,
  postMessageInputSchema,
  statusAfterMessage,
  type TicketEvent,
  ticketStatuses,
} from '@tikethet/domain';
import { and, eq, getTableColumns, inArray, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../client';
import { previewOf, toTicket } from '../mappers';
import { p, type RenderedStatement, renderOnce, runRendered } from '../rendered';
import { withConnectionRetry } from '../retry';
import { messages, tickets } from '../schema';
import { type AuthorRow, type Deps, inTransaction, storedEvent, type TicketRow } from '../scope';
import { draftMessage, isoSql, messageCreatedData } from './message-event-sql';
import {
  authorOf,
  messageKindOf,
  messageTicketSet,
  type PostedMessage,
  type PostMessageOptions,
  postMessage,
} from './messages';

/**
 * POST /tickets/:id/messages in one round trip. The common case — a reply or note on a ticket whose status
 * the message does not change, without files — is ONE statement run in autocommit (a single statement is
 * atomic): its UPDATE takes the ticket's row lock and the next seq, and data-modifying CTEs insert the
 * message and its message.created event. Whatever that statement cannot do falls back to the full
 * transaction (`postMessage`), which gives today's results and errors: a ticket that is missing, not the
 * actor's, closed, or whose status the message changes; a clientMessageId seen before; files.
 */
export async function postMessageFast(
  deps: Deps,
  actor: Actor,
  ticketId: number,
  rawInput: PostMessageInput,
  options: PostMessageOptions = {},
): Promise<PostedMessage> {
  const input = parseInput(postMessageInputSchema, rawInput);
  const internal = input.internal === true;
  const whose = postableTickets(actor, internal);
  if (whose && (options.attachments ?? []).length === 0) {
    const posted = await withConnectionRetry(() =>
      tryFastPost(deps.db, actor, ticketId, whose, {
        kind: messageKindOf(actor, internal),
        body: input.body,
        clientMessageId: input.clientMessageId ?? null,
        via: options.via ?? 'miniapp',
      }),
    );
    if (posted) {
      deps.publisher.afterCommit([posted.event], []);
      return posted.result;
    }
  }
  return inTransaction(deps, (scope) => postMessage(scope, actor, ticketId, rawInput, options));
}

type Whose = 'any' | 'own';

/**
 * Which tickets the actor may write this message on, as the domain's permissions say (they look at a
 * ticket's customer only): any ticket, only their own, or none (then the full path explains why).
 */
export function postableTickets(actor: Actor, internal: boolean): Whose | null {
  const allowed = (customerId: number) =>
    canViewTicket(actor, { customerId }) && canPostMessage(actor, { customerId }, internal);
  // Someone else's ticket: any id that is not the actor's.
  const others = allowed(actor.id === -1 ? -2 : -1);
  const own = allowed(actor.id);
  if (own && others) return 'any';
  if (own) return 'own';
  return null;
}

/** The statuses on which a message of this kind is accepted and leaves the status as it is. */
export function quietStatuses(kind: MessageKind): string[] {
  return ticketStatuses.filter((s) => acceptsMessage(s, kind) && statusAfterMessage(s, kind) === s);
}

interface FastMessage {
  kind: MessageKind;
  body: string;
  clientMessageId: string | null;
  via: 'miniapp' | 'bot';
}

interface FastPosted {
  result: PostedMessage;
  event: TicketEvent;
}

/** One statement; null when it wrote nothing (or lost a clientMessageId race) and the full path must decide. */
async function tryFastPost(
  db: Database,
  actor: Actor,
  ticketId: number,
  whose: Whose,
  m: FastMessage,
): Promise<FastPosted | null> {
  const author = await knownAuthor(db, actor.id);
  if (!author) return null;
  const statement = fastStatement(db, m.kind, whose);
  const draft = draftMessage(
    {
      ticketId,
      kind: m.kind,
      authorId: actor.id,
      body: m.body,
      clientMessageId: m.clientMessageId,
      via: m.via,
    },
    author,
  );
  const event: NewTicketEvent = {
    type: 'message.created',
    internal: draft.internal,
    actorId: actor.id,
    data: { message: draft },
  };
  const values = {
    ticketId,
    actorId: actor.id,
    firstName: author.firstName,
    lastName: author.lastName,
    username: author.username,
    role: author.role,
    kind: m.kind,
    body: m.body,
    preview: previewOf(m.body),
    clientMessageId: m.clientMessageId,
    via: m.via,
    delivery: draft.delivery,
    internal: draft.internal,
    type: event.type,
    // As text: pg would send a bare array as a Postgres array.
    data: JSON.stringify(event.data),
  };
  let rows: FastRow[];
  try {
    rows = await runRendered<FastRow>(db, statement, values);
  } catch (error) {
    // Two posts with one new clientMessageId at once: the loser's statement undid itself.
    if (isClientMessageIdConflict((error as Error).cause)) return null;
    throw error;
  }
  const row = rows[0];
  if (!row) {
    // Perhaps the author changed since we read them: read them afresh next time.
    forgetAuthor(db, actor.id);
    return null;
  }
  const { messageId, messageSeq, messageCreatedAt, eventId, eventCreatedAt, ...ticketColumns } = row;
  const ticketRow = ticketColumns as TicketRow;
  const message = { ...draft, id: messageId, seq: messageSeq, createdAt: messageCreatedAt };
  return {
    result: { message, ticket: toTicket(ticketRow), created: true },
    event: storedEvent({ ...event, data: { message } }, ticketRow, messageSeq, {
      id: eventId,
      createdAt: eventCreatedAt,
    }),
  };
}

type FastRow = Omit<TicketRow, 'search'> & {
  messageId: number;
  messageSeq: number;
  messageCreatedAt: string;
  eventId: number;
  eventCreatedAt: Date;
};

function isClientMessageIdConflict(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown };
  return e.code === '23505' && e.constraint === 'messages_client_id_uq';
}

/** The one statement for a kind of message and whose tickets, rendered once (a named prepared statement). */
function fastStatement(db: Database, kind: MessageKind, whose: Whose): RenderedStatement {
  return renderOnce(`tt_post_message_${kind}_${whose}`, () => fastStatementSql(db, kind, whose));
}

function fastStatementSql(db: Database, kind: MessageKind, whose: Whose): SQL {
  const { search: _search, ...ticketColumns } = getTableColumns(tickets);
  const conditions = [
    eq(tickets.id, p('ticketId')),
    inArray(tickets.status, quietStatuses(kind) as TicketRow['status'][]),
    // The author as we know them (their name goes into the event): otherwise the full path reads them.
    sql`exists (select 1 from users u where u.id = ${p('actorId')} and u.first_name = ${p('firstName')}
      and u.last_name is not distinct from ${p('lastName')}::text
      and u.username is not distinct from ${p('username')}::text and u.role = ${p('role')})`,
    // A clientMessageId seen before is answered by the full path (the same message, or a conflict).
    sql`(${p('clientMessageId')}::text is null or not exists (select 1 from messages x
      where x.ticket_id = ${tickets.id} and x.client_message_id = ${p('clientMessageId')}::text))`,
  ];
  if (whose === 'own') conditions.push(eq(tickets.customerId, p('actorId')));
  const update = db
    .update(tickets)
    .set({ ...messageTicketSet(kind, p('preview')), lastSeq: sql`${tickets.lastSeq} + 1` })
    .where(and(...conditions))
    .returning(ticketColumns)
    .getSQL();
  const createdAt = isoSql(sql`m.created_at`);
  const data = messageCreatedData(p('data'), {
    id: sql`m.id`,
    seq: sql`m.seq`,
    createdAt: sql`m.created_at`,
  });
  return sql`with t as (${update}),
m as (
  insert into ${messages} (ticket_id, seq, kind, author_id, body, client_message_id, via, delivery)
  select t.id, t.last_seq, ${p('kind')}, ${p('actorId')}, ${p('body')}, ${p('clientMessageId')}, ${p('via')}, ${p('delivery')}
  from t
  returning id, seq, created_at
),
e as (
  insert into events (ticket_id, seq, type, customer_id, internal, actor_id, data)
  select t.id, m.seq, ${p('type')}, t.customer_id, ${p('internal')}, ${p('actorId')}, ${data}
  from t, m
  returning id, created_at
)
select ${sql.join(
    Object.entries(ticketColumns).map(
      ([key, column]) => sql`t.${sql.identifier(column.name)} as ${sql.identifier(key)}`,
    ),
    sql`, `,
  )}, m.id as "messageId", m.seq as "messageSeq", ${createdAt} as "messageCreatedAt",
  e.id as "eventId", e.created_at as "eventCreatedAt"
from t, m, e`;
}

// Authors as last read, per database: their name and role go into the event the statement writes, and the
// statement proceeds only while the row still says the same (else the author is read again).
const authorCaches = new WeakMap<Database, Map<number, AuthorRow>>();
const AUTHOR_CACHE_SIZE = 10_000;

async function knownAuthor(db: Database, id: number): Promise<AuthorRow | null> {
  let cache = authorCaches.get(db);
  if (!cache) {
    cache = new Map();
    authorCaches.set(db, cache);
  }
  const seen = cache.get(id);
  if (seen) return seen;
  const author = await authorOf(db, id);
  if (!author) return null;
  if (cache.size >= AUTHOR_CACHE_SIZE) {
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(id, author);
  return author;
}

function forgetAuthor(db: Database, id: number): void {
  authorCaches.get(db)?.delete(id);
}
