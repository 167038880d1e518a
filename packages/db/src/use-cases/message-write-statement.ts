import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import { events, messages, telegramMessages, tickets } from '../schema';
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

/** What the bump sets on each ticket (`x` is the ticket's part of the write). */
function bumpSet(): SQL {
  return dialect.buildUpdateSet(tickets, {
    lastSeq: sql`x.last_seq`,
    status: sql`x.status`,
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
export const writeStatement = () =>
  rendered('tt_write_messages', () => {
    const { search: _search, ...ticketColumns } = getTableColumns(tickets);
    const returned = Object.entries(ticketColumns).map(
      ([key, column]) => sql`b.${sql.identifier(column.name)} as ${sql.identifier(key)}`,
    );
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
  e.id as "eventId", e.created_at as "eventCreatedAt", ${sql.join(returned, sql`, `)}
from i join m on m.ticket_id = i.ticket_id and m.seq = i.seq
  left join e on e.ticket_id = i.ticket_id and e.seq = i.seq
  join b on b.id = i.ticket_id
order by i.ord`;
  });
