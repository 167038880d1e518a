import type { UseCases } from '@tikethet/db';
import { displayName, type TicketEvent } from '@tikethet/domain';
import { TELEGRAM_BODY_MAX, truncate } from '../format';
import { AGENTS_CHAT_LANGUAGE, languageFrom, t } from '../i18n';
import { agentPostKeyboard, openTicketKeyboard, ratingKeyboard } from '../links';
import { enqueueText } from '../outbound/enqueue';
import type { BotRuntime } from '../runtime';

export interface EventHandlerDeps {
  uc: UseCases;
  runtime: BotRuntime;
  agentsChatId: number | undefined;
}

/** Whether the bot has anything to do for this event (cheap: no database read). */
export function concernsBot(event: TicketEvent): boolean {
  if (event.type === 'message.created') return event.data.message.kind === 'agent' && !event.internal;
  if (event.type === 'ticket.updated')
    return event.data.changes.includes('status') && event.actorId !== event.customerId;
  return event.type === 'ticket.created';
}

async function customerChat(uc: UseCases, customerId: number) {
  const chat = await uc.getBotChat(customerId);
  return chat ? { chatId: chat.chatId, texts: t(languageFrom(chat.languageCode)) } : null;
}

/**
 * Whether this status change is the one an agent's message made (a first reply opens a new ticket): the
 * customer has just got that reply, so "in progress" on top of it says nothing new.
 */
async function cameWithAgentReply(uc: UseCases, event: TicketEvent & { type: 'ticket.updated' }) {
  if (event.data.ticket.status !== 'open') return false;
  const before = await uc.findMessageBySeq(event.ticketId, event.seq - 1);
  return before?.kind === 'agent' && before.authorId === event.actorId;
}

/**
 * Turns one event into queued Telegram sends. Every send has a dedupe key, so handling the same event
 * twice (bus redelivery, catch-up after a restart) enqueues nothing new.
 */
export async function handleEvent(deps: EventHandlerDeps, event: TicketEvent): Promise<number> {
  const { uc, runtime } = deps;
  if (!concernsBot(event)) return 0;
  if (event.type === 'message.created') {
    const message = event.data.message;
    const to = await customerChat(uc, event.customerId);
    if (!to) {
      // The customer never wrote to the bot: nothing to deliver (and nothing pending for the agent to watch).
      if (message.delivery === 'pending') await uc.setDelivery(message.id, 'none');
      return 0;
    }
    const author = message.author?.name ?? to.texts.support;
    const html = to.texts.agentReply(event.ticketId, author, truncate(message.body, TELEGRAM_BODY_MAX));
    const queued = await enqueueText(uc, to.chatId, html, {
      ticketId: event.ticketId,
      messageId: message.id,
      dedupeKey: `reply:${message.id}`,
      replyMarkup: openTicketKeyboard(runtime, to.texts, event.ticketId),
    });
    return queued ? 1 : 0;
  }
  if (event.type === 'ticket.updated') {
    const to = await customerChat(uc, event.customerId);
    if (!to || (await cameWithAgentReply(uc, event))) return 0;
    const { ticket } = event.data;
    const resolved = ticket.status === 'resolved';
    const html = resolved ? to.texts.rateAsk(ticket.id) : to.texts.statusChanged(ticket.id, ticket.status);
    const markup = resolved ? ratingKeyboard(ticket.id) : openTicketKeyboard(runtime, to.texts, ticket.id);
    const queued = await enqueueText(uc, to.chatId, html, {
      ticketId: ticket.id,
      dedupeKey: `status:${ticket.id}:${event.seq}`,
      replyMarkup: markup,
    });
    return queued ? 1 : 0;
  }
  if (event.type !== 'ticket.created') return 0;
  const { ticket } = event.data;
  const customer = await uc.getUser(ticket.customerId);
  const name = customer ? displayName(customer) : String(ticket.customerId);
  const preview = truncate(ticket.lastMessagePreview ?? '', 1000);
  const targets =
    deps.agentsChatId !== undefined
      ? [{ chatId: deps.agentsChatId, language: AGENTS_CHAT_LANGUAGE, privateChat: false }]
      : (await uc.listStaffChats())
          .filter((s) => s.id !== ticket.customerId)
          .map((s) => ({ chatId: s.botChatId, language: languageFrom(s.languageCode), privateChat: true }));
  let queued = 0;
  await uc.transaction(async (tx) => {
    for (const target of targets) {
      const texts = t(target.language);
      const added = await enqueueText(
        tx,
        target.chatId,
        texts.newTicket(ticket.id, ticket.subject, name, preview),
        {
          ticketId: ticket.id,
          dedupeKey: `created:${ticket.id}:${target.chatId}`,
          replyMarkup: agentPostKeyboard(texts, runtime, { id: ticket.id, privateChat: target.privateChat }),
        },
      );
      if (added) queued += 1;
    }
  });
  return queued;
}
