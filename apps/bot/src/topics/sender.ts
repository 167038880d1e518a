import type { Logger } from '@tikethet/config';
import type { UseCases } from '@tikethet/db';
import { displayName } from '@tikethet/domain';
import { TelegramError } from 'telegraf';
import { AGENTS_CHAT_LANGUAGE, t } from '../i18n';
import { agentPostKeyboard } from '../links';
import type { LimitedCall, SendHooks } from '../outbound/worker';
import { type BotRuntime, currentChatId } from '../runtime';
import { iconColorOf, topicName } from './names';
import { topicTexts } from './texts';

/** Telegram's words for a topic that no longer exists (deleted by a person). */
const TOPIC_GONE = /message thread not found|TOPIC_ID_INVALID|TOPIC_DELETED/i;
const NOT_MODIFIED = /TOPIC_NOT_MODIFIED/;
/** Calls on the topic itself: on a topic that is gone there is nothing left to do. */
const TOPIC_METHODS = new Set(['closeForumTopic', 'reopenForumTopic', 'editForumTopic']);

export interface TopicSenderDeps {
  uc: UseCases;
  runtime: BotRuntime;
  logger: Logger;
  /** A group became a supergroup: remember it (the runtime, and for the next start). */
  onMigrated(fromChatId: number, toChatId: number): Promise<void>;
}

/**
 * The queue's hooks for forum topics and migrated groups. A topic row gets its ticket's message_thread_id
 * when it is sent; a ticket without a topic gets one first (createForumTopic, inside the queue's limits and
 * its 429 handling, so the row's order in the chat holds: a chat's rows go out one at a time, and two
 * messages of a new ticket make one topic). A topic a person deleted is created again, with a recap.
 */
export function createTopicSender(deps: TopicSenderDeps): SendHooks {
  const { uc, runtime, logger } = deps;

  async function createTopic(ticketId: number, chatId: number, lost: boolean, call: LimitedCall) {
    const ticket = await uc.findTicket(ticketId);
    if (!ticket) throw new Error(`ticket ${ticketId} not found`);
    const name = topicName(ticket);
    const created = (await call('createForumTopic', {
      chat_id: chatId,
      name,
      icon_color: iconColorOf(ticket.priority),
    })) as { message_thread_id: number };
    const threadId = created.message_thread_id;
    await uc.transaction((tx) => tx.recordTopicCreated({ ticketId, chatId, threadId, name }));
    logger.info({ ticketId, chatId, threadId, recreated: lost }, 'forum topic created');
    if (lost) {
      const [customer, assignee] = await Promise.all([
        uc.getUser(ticket.customerId),
        ticket.assigneeId === null ? null : uc.getUser(ticket.assigneeId),
      ]);
      const texts = t(AGENTS_CHAT_LANGUAGE);
      const assigneeName = assignee ? displayName(assignee) : null;
      await call('sendMessage', {
        chat_id: chatId,
        message_thread_id: threadId,
        parse_mode: 'HTML',
        text: topicTexts(AGENTS_CHAT_LANGUAGE).recap(
          ticket.id,
          ticket.subject,
          customer ? displayName(customer) : String(ticket.customerId),
          ticket.status,
          assigneeName,
        ),
        reply_markup: agentPostKeyboard(texts, runtime, {
          id: ticket.id,
          privateChat: false,
          ...(assigneeName ? { assignee: assigneeName } : {}),
        }),
      });
    }
    return threadId;
  }

  return {
    async prepare(row, call) {
      const chatId = currentChatId(runtime, row.chatId);
      const payload = chatId === row.chatId ? row.payload : { ...row.payload, chat_id: chatId };
      if (!row.inTopic || row.ticketId === null) return payload;
      const topic = await uc.findTicketTopic(row.ticketId);
      const threadId =
        topic?.threadId ?? (await createTopic(row.ticketId, chatId, topic?.lost ?? false, call));
      return { ...payload, message_thread_id: threadId };
    },

    async recover(row, sent, error) {
      if (!(error instanceof TelegramError)) return undefined;
      const to = (error.parameters as { migrate_to_chat_id?: number } | undefined)?.migrate_to_chat_id;
      if (typeof to === 'number') {
        await deps.onMigrated(Number(sent.chat_id), to);
        return 'again';
      }
      if (!row.inTopic || row.ticketId === null || error.code !== 400) return undefined;
      if (NOT_MODIFIED.test(error.description)) return 'sent';
      const threadId = sent.message_thread_id;
      if (TOPIC_GONE.test(error.description) && typeof threadId === 'number') {
        await uc.transaction((tx) => tx.forgetTopicThread(row.ticketId as number, threadId));
        logger.warn({ ticketId: row.ticketId, threadId }, 'forum topic gone; creating it again');
        return TOPIC_METHODS.has(row.method) ? 'sent' : 'again';
      }
      return undefined;
    },
  };
}
