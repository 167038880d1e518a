import {
  acceptsMessage,
  canPostMessage,
  isStaff,
  postMessageInputSchema,
  type Role,
  type TelegramProfile,
} from '@tikethet/domain';
import { sql } from 'drizzle-orm';
import { kvState, tickets, users } from '../schema';
import type { AuthorRow, TicketRow, TxScope } from '../scope';
import { dialect, p, rendered, runRendered } from '../statements';
import { rememberAuthor } from './authors';
import { type MessageDraft, writeMessages } from './message-writer';
import { ROUTABLE_STATUSES } from './read-tickets';
import { claimTelegramUpdates } from './telegram';
import { profileUpdateSet, profileValues } from './users';

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
 * fallback: nothing written for it here — run it through the bot's one-update path (a new ticket, a
 * pending /new, staff, input the schemas refuse).
 */
export type IngestOutcome = 'processed' | 'duplicate' | 'fallback';

/** What routing needs of a sender's latest open ticket (locked for the rest of the transaction). */
type RoutedTicket = Pick<TicketRow, 'id' | 'customerId' | 'status' | 'lastSeq'>;

/**
 * The bot's many-updates path: a batch of plain customer texts in ONE transaction of four statements,
 * each a named prepared statement that takes the batch as arrays (so neither its SQL nor Postgres's plan is
 * built per batch): upsert the senders; lock their latest open tickets (and see who asked for a new one);
 * claim the update_ids; then the message writer (message-writer.ts) writes the messages, their events and
 * Telegram links and bumps each ticket once — what the one-update path writes for such a text, as it runs the
 * same writer. Every text it cannot treat that way is left to that path: once one text of a sender falls
 * back, that sender's later texts do too, so a sender's texts keep their order. Locks are taken in id order
 * (users, then tickets).
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

  // 3. What the writer takes: a customer's text on their open ticket (status changes included).
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
      acceptsMessage(ticket.status, 'customer');
    if (fits) candidates.push(i);
    else fallBack(i);
  }
  if (candidates.length === 0) return outcomes;

  // 4. Claim the update_ids: one taken before (or by a concurrent copy that committed) is a duplicate, and so
  // is the second copy of an update_id within the batch. Then write the claimed texts.
  const claimed = await claimTelegramUpdates(
    scope,
    candidates.map((i) => (items[i] as IngestTextItem).updateId),
  );
  const drafts: (MessageDraft & { index: number })[] = [];
  for (const index of candidates) {
    const item = items[index] as IngestTextItem;
    outcomes[index] = 'duplicate';
    if (!claimed.delete(item.updateId)) continue;
    drafts.push({
      index,
      ticket: ticketOf.get(item.profile.id) as RoutedTicket,
      kind: 'customer',
      author: scope.authors?.get(item.profile.id) ?? null,
      body: item.body,
      via: 'bot',
      telegram: { chatId: item.chatId, telegramMessageId: item.telegramMessageId },
    });
  }
  await writeMessages(scope, drafts);
  for (const d of drafts) outcomes[d.index] = 'processed';
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

/** `insert … select` from the statement's arrays, in id order; a known id takes the new profile (users.ts). */
const upsertStatement = () =>
  rendered(
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
  rendered(
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
