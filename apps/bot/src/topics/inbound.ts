import {
  DomainError,
  isStaff,
  type TicketPriority,
  ticketPriorities,
  type UpdateTicketInput,
} from '@tikethet/domain';
import type { Composer } from 'telegraf';
import type { Message } from 'telegraf/types';
import { AGENTS_CHAT_LANGUAGE } from '../i18n';
import { type BotContext, type Sender, senderOf } from '../inbound/context';
import { contentOf, tryPost } from '../inbound/messages';
import { enqueueText } from '../outbound/enqueue';
import type { BotRuntime } from '../runtime';
import { type TopicTexts, topicTexts } from './texts';

/** Service messages Telegram leaves in the group (the bot's own topic changes among them): not agents' words. */
const SERVICE_FIELDS = [
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'new_chat_members',
  'left_chat_member',
  'pinned_message',
  'migrate_from_chat_id',
] as const;

type TopicMessage = Message & { message_thread_id?: number; is_topic_message?: boolean };

const COMMAND = /^\/([a-z]+)(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/;

const USAGE: Record<string, string> = {
  assign: '/assign @username',
  priority: `/priority ${ticketPriorities.join('|')}`,
  note: '/note <text>',
};

interface TopicCommandContext {
  s: Sender;
  ticketId: number;
  texts: TopicTexts;
  answer: (html: string) => Promise<unknown>;
}

/** A change of the ticket as the Mini App makes it (the same use-case, the version read in this transaction). */
async function changeTicket(c: TopicCommandContext, change: Omit<UpdateTicketInput, 'version'>) {
  const ticket = await c.s.tx.findTicket(c.ticketId);
  if (!ticket) return;
  await c.s.tx.updateTicket(c.s.actor, c.ticketId, { ...change, version: ticket.version });
}

/** `/take`, `/assign @username`, `/priority <p>`, `/resolve`, `/close`, `/reopen`; false: not one of them. */
async function runCommand(c: TopicCommandContext, name: string, args: string): Promise<boolean> {
  const { s, ticketId, texts } = c;
  switch (name) {
    case 'take':
      await s.tx.claimTicket(s.actor, ticketId);
      return true;
    case 'assign': {
      const username = /^@?([A-Za-z0-9_]{3,64})$/.exec(args)?.[1];
      if (!username) {
        await c.answer(texts.usage(USAGE.assign ?? ''));
        return true;
      }
      const agent = await s.tx.findStaffByUsername(username);
      if (!agent) await c.answer(texts.unknownAgent(username));
      else await changeTicket(c, { assigneeId: agent.id });
      return true;
    }
    case 'priority': {
      const priority = args.toLowerCase() as TicketPriority;
      if (!ticketPriorities.includes(priority)) await c.answer(texts.usage(USAGE.priority ?? ''));
      else await changeTicket(c, { priority });
      return true;
    }
    case 'resolve':
      await changeTicket(c, { status: 'resolved' });
      return true;
    case 'close':
      await changeTicket(c, { status: 'closed' });
      return true;
    case 'reopen':
      await changeTicket(c, { status: 'open' });
      return true;
    default:
      return false;
  }
}

/** A reply to a note (the bot's 📝 line or an agent's /note) is a note too. */
function repliesToNote(message: TopicMessage): boolean {
  const target = 'reply_to_message' in message ? message.reply_to_message : undefined;
  if (!target || !('text' in target) || target.message_id === message.message_thread_id) return false;
  return target.text.startsWith('/note') || (target.from?.is_bot === true && target.text.startsWith('📝'));
}

/** A message in a ticket's topic: a command, a note, or the agent's reply to the customer. */
async function fromTopic(s: Sender, message: TopicMessage, ticketId: number, threadId: number) {
  const chatId = message.chat.id;
  const texts = topicTexts(AGENTS_CHAT_LANGUAGE);
  const answer = (html: string) => enqueueText(s.tx, chatId, html, { replyTo: message.message_id, threadId });
  if (!isStaff(s.user.role)) {
    await answer(texts.agentsOnly);
    return;
  }
  const { text, body } = contentOf(s, message);
  const command = COMMAND.exec(text.trim());
  const name = command?.[1] ?? '';
  const args = (command?.[2] ?? '').trim();
  const c: TopicCommandContext = { s, ticketId, texts, answer };
  let note = repliesToNote(message);
  let content = body;
  if (command && name === 'note') {
    if (!args) {
      await answer(texts.noteEmpty);
      return;
    }
    note = true;
    content = args;
  } else if (command) {
    try {
      if (await runCommand(c, name, args)) return;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await answer(error.code === 'already_claimed' ? texts.alreadyTaken : texts.notNow(error.message));
      return;
    }
  }
  if (!content) return;
  const posted = await tryPost(s, ticketId, content, message, note);
  if (!posted) {
    await answer(texts.notDelivered);
    return;
  }
  // tryPost linked it: the mirror does not post it again, and an edit of it edits the customer's copy.
  if (note && command) await answer(texts.noteSaved);
}

/**
 * The agents' forum group: a message in a ticket's topic answers the customer through the same use-case as
 * the Mini App (`/note` keeps it internal), commands change the ticket, and anyone who is not an agent is
 * refused politely. `message_thread_id` is trusted only with `is_topic_message` (Telegram puts it on
 * replies in General and in ordinary groups too); service messages are ignored. Everything else in the
 * group goes on to the other handlers (replies to the new-ticket posts of group mode).
 */
export function registerTopicMessages(
  bot: Composer<BotContext>,
  runtime: BotRuntime,
  onMigrated: (fromChatId: number, toChatId: number) => Promise<void>,
): void {
  bot.on('message', async (ctx, next) => {
    const message = ctx.message as TopicMessage;
    if ('migrate_to_chat_id' in message && typeof message.migrate_to_chat_id === 'number') {
      await onMigrated(message.chat.id, message.migrate_to_chat_id);
      return;
    }
    const chatId = runtime.topicsChatId;
    if (chatId === undefined || message.chat.id !== chatId) return next();
    if (SERVICE_FIELDS.some((field) => field in message)) return;
    const threadId = message.message_thread_id;
    if (message.is_topic_message !== true || threadId === undefined) return next();
    const s = senderOf(ctx);
    if (!s) return;
    const ticketId = await s.tx.findTopicByThread(chatId, threadId);
    if (ticketId === null) return;
    await fromTopic(s, message, ticketId, threadId);
  });
}
