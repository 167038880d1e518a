import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import { events, messages, telegramMessages, tickets, users } from '../schema';
import type { TicketRow } from '../scope';
import { dialect, p, rendered } from '../statements';

/** What the write returns per draft: its message's id and time, its event's (if written), its ticket after. */
export type WriteRow = Omit<TicketRow, 'search'> & {
  ord: number;
  messageId: number;
  messageCreatedAt: string;
  eventId: number | null;
  eventCreatedAt: Date;
};

/**
 * A timestamp as `iso()` in mappers.ts writes it (JavaScript's toISOString: UTC, milliseconds truncated),
 * for JSON composed inside a statement.
 */
export function isoSql(timestamp: SQL): SQL {
  return sql`to_char(${timestamp} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * What the bump sets on each ticket (`x` is the ticket's part of the write); its seq and status are x's unless
 * given (the one-message statement takes the next seq of the row it locks and keeps its status).
 */
function bumpSet(lastSeq: SQL = sql`x.last_seq`, status: SQL = sql`x.status`): SQL {
  return dialect.buildUpdateSet(tickets, {
    lastSeq,
    status,
    version: sql`${tickets.version} + x.moves`,
    resolvedAt: sql`case when x.moves > 0 then null else ${tickets.resolvedAt} end`,
    closedAt: sql`case when x.moves > 0 then null else ${tickets.closedAt} end`,
    updatedAt: sql`now()`,
    // Notes are not activity: a ticket's preview and activity time follow its public messages.
    lastMessageAt: sql`case when x.preview is null then ${tickets.lastMessageAt} else now() end`,
    lastMessagePreview: sql`coalesce(x.preview, ${tickets.lastMessagePreview})`,
    firstResponseAt: sql`case when x.agent_replied then coalesce(${tickets.firstResponseAt}, now()) else ${tickets.firstResponseAt} end`,
    slaAwaitingSince: sql`case x.awaiting when 'clear' then null when 'restart' then now()
      when 'start' then coalesce(${tickets.slaAwaitingSince}, now()) else ${tickets.slaAwaitingSince} end`,
  } as Parameters<typeof dialect.buildUpdateSet>[1]);
}

/**
 * The write, one named prepared statement fed with arrays (neither its SQL nor Postgres's plan is built per
 * write): `i` the drafts, `m` their messages, `e` the events of those without files (the message JSON built
 * by the mapper, with the row's id and time filled in), `l` the Telegram links, `b` each ticket's bump.
 */
/** The ticket's columns as the write returns them, read from the bump `b`. */
function returnedTicket(): SQL {
  const { search: _search, ...ticketColumns } = getTableColumns(tickets);
  const returned = Object.entries(ticketColumns).map(
    ([key, column]) => sql`b.${sql.identifier(column.name)} as ${sql.identifier(key)}`,
  );
  return sql.join(returned, sql`, `);
}

export const writeStatement = () =>
  rendered('tt_write_messages', () => {
    return sql`with i as (
  select * from unnest(${p('ticketIds')}::int[], ${p('customerIds')}::bigint[], ${p('seqs')}::int[],
    ${p('kinds')}::text[], ${p('authorIds')}::bigint[], ${p('bodies')}::text[], ${p('clientMessageIds')}::text[],
    ${p('vias')}::text[], ${p('deliveries')}::text[], ${p('data')}::text[], ${p('chatIds')}::bigint[],
    ${p('telegramMessageIds')}::bigint[]) with ordinality
    as i(ticket_id, customer_id, seq, kind, author_id, body, client_message_id, via, delivery, data, chat_id,
      telegram_message_id, ord)
),
m as (
  insert into ${messages} (ticket_id, seq, kind, author_id, body, client_message_id, via, delivery)
  select ticket_id, seq, kind, author_id, body, client_message_id, via, delivery from i order by ord
  returning id, ticket_id, seq, created_at
),
e as (
  insert into ${events} (ticket_id, seq, type, customer_id, internal, actor_id, data)
  select i.ticket_id, i.seq, 'message.created', i.customer_id, i.kind = 'note', i.author_id,
    jsonb_set(jsonb_set(i.data::jsonb, '{message,id}', to_jsonb(m.id)),
      '{message,createdAt}', to_jsonb(${isoSql(sql`m.created_at`)}))
  from i join m on m.ticket_id = i.ticket_id and m.seq = i.seq
  where i.data is not null order by i.ord
  returning id, ticket_id, seq, created_at
),
l as (
  insert into ${telegramMessages} (chat_id, telegram_message_id, ticket_id, message_id)
  select i.chat_id, i.telegram_message_id, i.ticket_id, m.id
  from i join m on m.ticket_id = i.ticket_id and m.seq = i.seq
  where i.chat_id is not null
  on conflict do nothing
),
b as (
  update ${tickets} set ${bumpSet()}
  from unnest(${p('bumpIds')}::int[], ${p('bumpSeqs')}::int[], ${p('bumpStatuses')}::text[],
    ${p('bumpMoves')}::int[], ${p('bumpPreviews')}::text[], ${p('bumpAgentReplied')}::boolean[],
    ${p('bumpAwaiting')}::text[])
    as x(id, last_seq, status, moves, preview, agent_replied, awaiting)
  where ${tickets.id} = x.id
  returning ${tickets}.*
)
select i.ord::int as ord, m.id as "messageId", ${isoSql(sql`m.created_at`)} as "messageCreatedAt",
  e.id as "eventId", e.created_at as "eventCreatedAt", ${returnedTicket()}
from i join m on m.ticket_id = i.ticket_id and m.seq = i.seq
  left join e on e.ticket_id = i.ticket_id and e.seq = i.seq
  join b on b.id = i.ticket_id
order by i.ord`;
  });

/** Whose tickets a one-message write may land on: any ticket, or only the author's own. */
export type Whose = 'any' | 'own';

/** What the one-message write returns: the message's id, seq and time, its event's, the ticket after. */
export type WriteOneRow = Omit<WriteRow, 'ord'> & { seq: number };

/**
 * One message in ONE statement, run on its own (a statement is atomic: no BEGIN/COMMIT): the bump `b` locks
 * the ticket and takes its next seq only where the message is quiet — the ticket is one the author may write
 * on (`whose`), in a status that takes this kind of message and keeps it (`statuses`, from the domain), the
 * author is still as the message shows them, and the clientMessageId is new on the ticket — then `m` and `e`
 * write the message and its message.created event. Otherwise it writes nothing and returns no row.
 */
export const writeOneStatement = (kind: string, whose: Whose, statuses: readonly string[]) =>
  rendered(`tt_write_one_${kind}_${whose}`, () => {
    const conditions = [
      sql`${tickets.id} = ${p('ticketId')}`,
      sql`${tickets.status} in (${sql.join(
        statuses.map((s) => sql`${s}`),
        sql`, `,
      )})`,
      sql`exists (select 1 from ${users} u where u.id = ${p('authorId')} and u.first_name = ${p('firstName')}
      and u.last_name is not distinct from ${p('lastName')}::text
      and u.username is not distinct from ${p('username')}::text and u.role = ${p('role')})`,
      sql`(${p('clientMessageId')}::text is null or not exists (select 1 from ${messages} c
      where c.ticket_id = ${tickets.id} and c.client_message_id = ${p('clientMessageId')}::text))`,
    ];
    if (whose === 'own') conditions.push(sql`${tickets.customerId} = ${p('authorId')}`);
    return sql`with b as (
  update ${tickets} set ${bumpSet(sql`${tickets.lastSeq} + 1`, sql`${tickets.status}`)}
  from (select 0 as moves, ${p('preview')}::text as preview, ${p('agentReplied')}::boolean as agent_replied,
    ${p('awaiting')}::text as awaiting) as x
  where ${sql.join(conditions, sql` and `)}
  returning ${tickets}.*
),
m as (
  insert into ${messages} (ticket_id, seq, kind, author_id, body, client_message_id, via, delivery)
  select b.id, b.last_seq, ${p('kind')}, ${p('authorId')}, ${p('body')}, ${p('clientMessageId')}, ${p('via')},
    ${p('delivery')}
  from b
  returning id, seq, created_at
),
e as (
  insert into ${events} (ticket_id, seq, type, customer_id, internal, actor_id, data)
  select b.id, m.seq, 'message.created', b.customer_id, ${p('kind')}::text = 'note', ${p('authorId')},
    jsonb_set(jsonb_set(jsonb_set(${p('data')}::jsonb, '{message,id}', to_jsonb(m.id)),
      '{message,seq}', to_jsonb(m.seq)), '{message,createdAt}', to_jsonb(${isoSql(sql`m.created_at`)}))
  from b, m
  returning id, created_at
)
select m.seq, m.id as "messageId", ${isoSql(sql`m.created_at`)} as "messageCreatedAt",
  e.id as "eventId", e.created_at as "eventCreatedAt", ${returnedTicket()}
from b, m, e`;
  });
