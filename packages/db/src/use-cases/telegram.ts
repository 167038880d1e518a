import { type Actor, canViewTicket, NotFoundError, type Role } from '@tikethet/domain';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '../client';
import { attachments, messages, telegramMessages, telegramUpdates, tickets, users } from '../schema';
import type { TxScope } from '../scope';
import { p, prepared, rendered, runRendered } from '../statements';

/**
 * Claims a Telegram update_id inside the scope's transaction. false: it was processed before (or is being
 * processed by a concurrent transaction that then commits), and the caller must change nothing.
 */
export async function claimTelegramUpdate(scope: TxScope, updateId: number): Promise<boolean> {
  return (await claimTelegramUpdates(scope, [updateId])).has(updateId);
}

/** `claimTelegramUpdate` for many update_ids at once (the bot's batch): the set of those claimed now. */
export async function claimTelegramUpdates(scope: TxScope, updateIds: number[]): Promise<Set<number>> {
  const claim = rendered(
    'tt_claim_updates',
    () => sql`insert into ${telegramUpdates} (update_id)
select u from unnest(${p('updateIds')}::bigint[]) with ordinality as x(u, ord) order by ord
on conflict do nothing returning update_id as "updateId"`,
  );
  const rows = await runRendered<{ updateId: number }>(scope.tx, claim, { updateIds });
  return new Set(rows.map((r) => r.updateId));
}

/** Remembers that a Telegram message in a chat stands for a ticket (and maybe one of its messages). */
export async function linkTelegramMessage(
  scope: TxScope,
  link: { chatId: number; telegramMessageId: number; ticketId: number; messageId?: number | null },
): Promise<void> {
  const insert = prepared(scope.tx, 'tt_link_telegram_message', (q) =>
    q
      .insert(telegramMessages)
      .values({
        chatId: sql.placeholder('chatId'),
        telegramMessageId: sql.placeholder('telegramMessageId'),
        ticketId: sql.placeholder('ticketId'),
        messageId: sql.placeholder('messageId'),
      })
      .onConflictDoNothing()
      .prepare('tt_link_telegram_message'),
  );
  await insert.execute({ ...link, messageId: link.messageId ?? null });
}

/**
 * The ticket (and message) a Telegram message stands for, if any. A ticket merged into another answers the
 * survivor (merges keep `merged_into_id` one hop deep), so a reply to the merged ticket's old messages lands
 * where its conversation went on.
 */
export async function findTelegramLink(q: Queryable, chatId: number, telegramMessageId: number) {
  const rows = await q
    .select({
      chatId: telegramMessages.chatId,
      telegramMessageId: telegramMessages.telegramMessageId,
      ticketId: sql<number>`coalesce(${tickets.mergedIntoId}, ${telegramMessages.ticketId})`.mapWith(Number),
      messageId: telegramMessages.messageId,
      createdAt: telegramMessages.createdAt,
    })
    .from(telegramMessages)
    .leftJoin(tickets, eq(tickets.id, telegramMessages.ticketId))
    .where(
      and(eq(telegramMessages.chatId, chatId), eq(telegramMessages.telegramMessageId, telegramMessageId)),
    );
  return rows[0] ?? null;
}

/**
 * Who works a ticket and where the bot reaches them: the assignee (null when unassigned), their role, their
 * private chat with the bot (null when they never wrote to it) and language, with the ticket's subject and
 * its last event's seq (the assignee is as of that event). One prepared primary-key read: the bot's path of a
 * customer message, the commonest event it consumes, when it does not know the assignee already.
 */
export async function findAssigneeChat(
  q: Queryable,
  ticketId: number,
): Promise<{
  assigneeId: number | null;
  subject: string;
  lastSeq: number;
  role: Role | null;
  chatId: number | null;
  languageCode: string | null;
} | null> {
  const select = prepared(q, 'tt_assignee_chat', (h) =>
    h
      .select({
        assigneeId: tickets.assigneeId,
        subject: tickets.subject,
        lastSeq: tickets.lastSeq,
        role: users.role,
        chatId: users.botChatId,
        languageCode: users.languageCode,
      })
      .from(tickets)
      .leftJoin(users, eq(users.id, tickets.assigneeId))
      .where(eq(tickets.id, sql.placeholder('ticketId')))
      .prepare('tt_assignee_chat'),
  );
  const rows = await select.execute({ ticketId });
  return rows[0] ?? null;
}

/** An attachment the actor may see, with its Telegram file id (for the API to fetch and serve). */
export async function getAttachment(q: Queryable, actor: Actor, attachmentId: number) {
  const rows = await q
    .select({ file: attachments, kind: messages.kind, customerId: tickets.customerId })
    .from(attachments)
    .innerJoin(messages, eq(messages.id, attachments.messageId))
    .innerJoin(tickets, eq(tickets.id, messages.ticketId))
    .where(eq(attachments.id, attachmentId));
  const row = rows[0];
  if (!row || !canViewTicket(actor, row) || (row.kind === 'note' && actor.role === 'customer')) {
    throw new NotFoundError('attachment');
  }
  return row.file;
}

/** An attachment as the bot sends it: where its bytes are (a blob, a Telegram file id, or both). */
export async function getAttachmentFile(q: Queryable, attachmentId: number) {
  const rows = await q
    .select({
      id: attachments.id,
      kind: attachments.kind,
      blobId: attachments.blobId,
      telegramFileId: attachments.telegramFileId,
      fileName: attachments.fileName,
      mimeType: attachments.mimeType,
      size: attachments.size,
    })
    .from(attachments)
    .where(eq(attachments.id, attachmentId));
  return rows[0] ?? null;
}

/**
 * Telegram took an uploaded file and named it: later sends of the attachment use the file id instead of the
 * bytes. The first id recorded stays (every one Telegram gives for the file works).
 */
export async function rememberTelegramFile(
  scope: TxScope,
  attachmentId: number,
  file: { fileId: string; uniqueId?: string | undefined },
): Promise<void> {
  await scope.tx
    .update(attachments)
    .set({ telegramFileId: file.fileId, telegramFileUniqueId: file.uniqueId ?? null })
    .where(and(eq(attachments.id, attachmentId), isNull(attachments.telegramFileId)));
}
