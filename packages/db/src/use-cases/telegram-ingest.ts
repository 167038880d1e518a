import {
  acceptsMessage,
  canPostMessage,
  isStaff,
  type NewTicketEvent,
  postMessageInputSchema,
  type Role,
  statusAfterMessage,
  type TelegramProfile,
} from '@tikethet/domain';
import { type SQL, sql } from 'drizzle-orm';
import { previewOf } from '../mappers';
import { dialect, p, renderOnce, runRendered } from '../rendered';
import { events, kvState, messages, telegramMessages, telegramUpdates, tickets, users } from '../schema';
import { type AuthorRow, storedEvent, type TicketRow, type TxScope } from '../scope';
import { draftMessage, isoSql, messageCreatedData } from './message-event-sql';
import { deliveryOf, messageTicketSet } from './messages';
import { ROUTABLE_STATUSES } from './read-tickets';
import { profileUpdateSet, profileValues, rememberAuthor } from './users';

/** A plain text a customer wrote to the bot in their private chat (no command, no reply, no file). */
export interface IngestTextItem {
  updateId: number;
  profile: TelegramProfile;
  chatId: number;
  telegramMessageId: number;
  /** The text as the ticket keeps it (trimmed and bounded by the bot). */
  body: string;
  /** A kv_state key whose presence means the sender asked for a new ticket (/new): such a text falls back. */
  pendingKey: string;
}

/**
 * processed: posted on the sender's latest open ticket; duplicate: its update_id was claimed before;
 * fallback: nothing written for it here — run it through the bot's full, one-update path (a new ticket, a
 * pending /new, a status change, staff, input the schemas refuse).
 */
export type IngestOutcome = 'processed' | 'duplicate' | 'fallback';

/** What routing needs of a sender's latest open ticket (locked for the rest of the transaction). */
type RoutedTicket = Pick<TicketRow, 'id' | 'customerId' | 'status' | 'lastSeq'>;

/**
 * The bot's many-updates path: a batch of plain customer texts in ONE transaction of three statements,
 * each a named prepared statement that takes the batch as arrays (so neither its SQL nor Postgres's plan is
 * built per batch): upsert the senders; lock their latest open tickets (and see who asked for a new one);
 * then claim the update_ids and write the messages, their events and Telegram links and bump each ticket
 * once. It writes exactly what the one-update path writes for such a text (postMessage via 'bot' + the
 * link), and leaves every text it cannot treat that way to it: once one text of a sender falls back, that
 * sender's later texts do too, so a sender's texts keep their order. Locks are taken in id order (users,
 * then tickets).
 */
export async function ingestCustomerTexts(scope: TxScope, items: IngestTextItem[]): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = items.map(() => 'fallback');
  const fellBack = new Set<number>();
  const fallBack = (i: number) => {
    const item = items[i];
    if (item) fellBack.add(item.profile.id);
  };

  // 1. Validate and upsert the senders (one row each, the latest profile), in id order.
  const profiles = new Map<number, ReturnType<typeof profileValues>>();
  const valid: number[] = [];
  for (const [i, item] of items.entries()) {
    if (fellBack.has(item.profile.id)) continue;
    const profile = postMessageInputSchema.safeParse({ body: item.body }).success && validProfile(item);
    if (!profile) {
      fallBack(i);
      continue;
    }
    profiles.set(item.profile.id, profile);
    valid.push(i);
  }
  if (valid.length === 0) return outcomes;
  const roles = await upsertSenders(
    scope,
    [...profiles.values()].sort((a, b) => a.id - b.id),
  );

  // 2. Each customer's latest open ticket, locked; who asked for a new ticket.
  const customerIds = [...roles].filter(([, role]) => !isStaff(role)).map(([id]) => id);
  const pendingKeys = [...new Set(valid.map((i) => items[i]?.pendingKey ?? ''))];
  const { ticketOf, pending } = await lockLatestTickets(scope, customerIds, pendingKeys);

  // 3. What can go the short way: a customer with an open ticket that takes the text without a status change.
  const candidates: number[] = [];
  for (const i of valid) {
    const item = items[i] as IngestTextItem;
    const userId = item.profile.id;
    const role = roles.get(userId);
    const ticket = ticketOf.get(userId);
    const fits =
      !fellBack.has(userId) &&
      role !== undefined &&
      !isStaff(role) &&
      !pending.has(item.pendingKey) &&
      ticket !== undefined &&
      canPostMessage({ id: userId, role }, ticket, false) &&
      acceptsMessage(ticket.status, 'customer') &&
      statusAfterMessage(ticket.status, 'customer') === ticket.status;
    if (fits) candidates.push(i);
    else fallBack(i);
  }
  if (candidates.length === 0) return outcomes;

  // 4. One statement: claim the update_ids (one taken before, or by a concurrent copy that committed, is a
  // duplicate), then messages, events and links for the claimed ones, and each touched ticket once.
  for (const i of candidates) outcomes[i] = 'duplicate';
  const drafts = candidates.map((index) => {
    const item = items[index] as IngestTextItem;
    const ticket = ticketOf.get(item.profile.id) as RoutedTicket;
    const message = draftMessage(
      {
        ticketId: ticket.id,
        kind: 'customer',
        authorId: item.profile.id,
        body: item.body,
        clientMessageId: null,
        via: 'bot',
      },
      scope.authors?.get(item.profile.id) ?? null,
    );
    return { index, item, ticket, message };
  });
  const written = await runRendered<WrittenRow>(scope.tx, writeStatement(), {
    updateIds: drafts.map((d) => d.item.updateId),
    ticketIds: drafts.map((d) => d.ticket.id),
    customerIds: drafts.map((d) => d.ticket.customerId),
    baseSeqs: drafts.map((d) => d.ticket.lastSeq),
    bodies: drafts.map((d) => d.item.body),
    previews: drafts.map((d) => previewOf(d.item.body)),
    chatIds: drafts.map((d) => d.item.chatId),
    telegramMessageIds: drafts.map((d) => d.item.telegramMessageId),
    // As text: the statement turns each into jsonb.
    data: drafts.map((d) => JSON.stringify({ message: d.message })),
    delivery: deliveryOf('customer', 'bot'),
  });
  written.sort((a, b) => a.ord - b.ord);
  for (const row of written) {
    const draft = drafts[row.ord - 1];
    if (!draft) throw new Error('batch write returned an unknown row');
    const message = { ...draft.message, id: row.messageId, seq: row.seq, createdAt: row.messageCreatedAt };
    const event: NewTicketEvent = {
      type: 'message.created',
      internal: false,
      actorId: draft.item.profile.id,
      data: { message },
    };
    scope.events.push(
      storedEvent(event, draft.ticket, row.seq, { id: row.eventId, createdAt: row.eventCreatedAt }),
    );
    outcomes[draft.index] = 'processed';
  }
  return outcomes;
}

/** The sender's row as users.ts upserts it; null for a profile its schema refuses (the full path reports it). */
function validProfile(item: IngestTextItem): ReturnType<typeof profileValues> | null {
  try {
    return profileValues(item.profile, { botChatId: item.chatId });
  } catch {
    return null;
  }
}

/** Upserts the senders (sorted by id) and returns each one's role; they are the transaction's known authors. */
async function upsertSenders(
  scope: TxScope,
  rows: ReturnType<typeof profileValues>[],
): Promise<Map<number, Role>> {
  const upserted = await runRendered<AuthorRow>(scope.tx, upsertStatement(), {
    ids: rows.map((r) => r.id),
    firstNames: rows.map((r) => r.firstName),
    lastNames: rows.map((r) => r.lastName),
    usernames: rows.map((r) => r.username),
    languageCodes: rows.map((r) => r.languageCode),
    photoUrls: rows.map((r) => r.photoUrl),
    roles: rows.map((r) => r.role),
    botChatIds: rows.map((r) => r.botChatId ?? null),
  });
  const roles = new Map<number, Role>();
  for (const row of upserted) {
    rememberAuthor(scope, row);
    roles.set(row.id, row.role);
  }
  return roles;
}

async function lockLatestTickets(scope: TxScope, customerIds: number[], pendingKeys: string[]) {
  const rows = await runRendered<RoutedTicket & { pending: string[] }>(scope.tx, lockStatement(), {
    customerIds,
    statuses: ROUTABLE_STATUSES,
    pendingKeys,
  });
  return {
    ticketOf: new Map(rows.map((t) => [t.customerId, t])),
    // Only asked when there is a ticket to route to: without one, every text falls back anyway.
    pending: new Set(rows[0]?.pending ?? []),
  };
}

interface WrittenRow {
  ord: number;
  messageId: number;
  seq: number;
  messageCreatedAt: string;
  eventId: number;
  eventCreatedAt: Date;
}

/** `insert … select` from the statement's arrays, in id order; a known id takes the new profile (users.ts). */
const upsertStatement = () =>
  renderOnce(
    'tt_ingest_upsert_senders',
    () => sql`insert into ${users} (id, first_name, last_name, username, language_code, photo_url, role, bot_chat_id)
select * from unnest(${p('ids')}::bigint[], ${p('firstNames')}::text[], ${p('lastNames')}::text[],
  ${p('usernames')}::text[], ${p('languageCodes')}::text[], ${p('photoUrls')}::text[], ${p('roles')}::text[],
  ${p('botChatIds')}::bigint[]) as s(id) order by s.id
on conflict (id) do update set ${dialect.buildUpdateSet(users, profileUpdateSet(true))}
returning id, first_name as "firstName", last_name as "lastName", username, role`,
  );

/** The latest open ticket of each customer, locked in id order, and which of the keys are pending /new. */
const lockStatement = () =>
  renderOnce(
    'tt_ingest_lock_tickets',
    () => sql`select t.id, t.customer_id as "customerId", t.status, t.last_seq as "lastSeq",
  array(select k.key from ${kvState} k where k.key = any(${p('pendingKeys')}::text[])) as pending
from ${tickets} t
where t.id in (select distinct on (l.customer_id) l.id from ${tickets} l
  where l.customer_id = any(${p('customerIds')}::bigint[]) and l.status = any(${p('statuses')}::text[])
  order by l.customer_id, l.last_message_at desc, l.id desc)
order by t.id
for update of t`,
  );

/**
 * Claim, then write: `n` numbers the claimed texts of each ticket after its locked last_seq, so a duplicate
 * takes no seq (an update_id twice in one batch is claimed once: its first copy is written). Every write reads `n` (materialized once); the ticket gets the seq and preview of its last text.
 */
const writeStatement = () =>
  renderOnce('tt_ingest_write_texts', () => {
    const bump: SQL = dialect.buildUpdateSet(tickets, {
      ...messageTicketSet('customer', sql`x.preview`),
      lastSeq: sql`x.seq`,
    } as Parameters<typeof dialect.buildUpdateSet>[1]);
    return sql`with i as (
  select * from unnest(${p('updateIds')}::bigint[], ${p('ticketIds')}::int[], ${p('customerIds')}::bigint[],
    ${p('baseSeqs')}::int[], ${p('bodies')}::text[], ${p('previews')}::text[], ${p('chatIds')}::bigint[],
    ${p('telegramMessageIds')}::bigint[], ${p('data')}::text[]) with ordinality
    as i(update_id, ticket_id, customer_id, base_seq, body, preview, chat_id, telegram_message_id, data, ord)
),
c as (
  insert into ${telegramUpdates} (update_id) select update_id from i order by ord
  on conflict do nothing returning update_id
),
n as materialized (
  select d.*, (d.base_seq + row_number() over (partition by d.ticket_id order by d.ord))::int as seq
  from (select distinct on (i.update_id) i.* from i join c on c.update_id = i.update_id
    order by i.update_id, i.ord) d
),
m as (
  insert into ${messages} (ticket_id, seq, kind, author_id, body, via, delivery)
  select ticket_id, seq, 'customer', customer_id, body, 'bot', ${p('delivery')} from n order by ord
  returning id, ticket_id, seq, created_at
),
e as (
  insert into ${events} (ticket_id, seq, type, customer_id, internal, actor_id, data)
  select n.ticket_id, n.seq, 'message.created', n.customer_id, false, n.customer_id,
    ${messageCreatedData(sql`n.data`, { id: sql`m.id`, seq: sql`m.seq`, createdAt: sql`m.created_at` })}
  from n join m on m.ticket_id = n.ticket_id and m.seq = n.seq order by n.ord
  returning id, ticket_id, seq, created_at
),
l as (
  insert into ${telegramMessages} (chat_id, telegram_message_id, ticket_id, message_id)
  select n.chat_id, n.telegram_message_id, n.ticket_id, m.id
  from n join m on m.ticket_id = n.ticket_id and m.seq = n.seq
  on conflict do nothing
),
b as (
  update ${tickets} set ${bump}
  from (select distinct on (ticket_id) ticket_id, seq, preview from n order by ticket_id, seq desc) x
  where ${tickets.id} = x.ticket_id
)
select n.ord::int as ord, m.id as "messageId", n.seq, ${isoSql(sql`m.created_at`)} as "messageCreatedAt",
  e.id as "eventId", e.created_at as "eventCreatedAt"
from n join m on m.ticket_id = n.ticket_id and m.seq = n.seq
  join e on e.ticket_id = n.ticket_id and e.seq = n.seq`;
  });
