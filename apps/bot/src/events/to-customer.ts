import type { UseCases } from '@tikethet/db';
import type { Message, TicketEvent } from '@tikethet/domain';
import { TELEGRAM_BODY_MAX, truncate } from '../format';
import { languageFrom, t } from '../i18n';
import { contactKeyboard, openTicketKeyboard, ratingKeyboard } from '../links';
import { albumCopy, albumSourceOf } from '../outbound/albums';
import { enqueueCopy, enqueueEdit, enqueueText } from '../outbound/enqueue';
import { planFileSends } from '../outbound/files';
import type { EventHandlerDeps, TicketUpdated } from './deps';

/** A caption holds 1024 characters: the reply's body, leaving room for its header. */
const CAPTION_BODY_MAX = 900;

/** A status change or a merge (which closes the ticket into another): the customer hears of it. */
export const tellsCustomer = (changes: string[]) =>
  changes.includes('status') || changes.includes('mergedIntoId');

async function customerChat(uc: UseCases, customerId: number) {
  const chat = await uc.getBotChat(customerId);
  return chat ? { chatId: chat.chatId, texts: t(languageFrom(chat.languageCode)) } : null;
}

/**
 * Whether this status change is the one an agent's message made (a first reply opens a new ticket): the
 * customer has just got that reply, so "in progress" on top of it says nothing new.
 */
async function cameWithAgentReply(uc: UseCases, event: TicketUpdated) {
  if (event.data.ticket.status !== 'open') return false;
  const before = await uc.findMessageBySeq(event.ticketId, event.seq - 1);
  return before?.kind === 'agent' && before.authorId === event.actorId;
}

/** An agent's public reply, delivered to the customer's chat. */
export async function replyToCustomer(deps: EventHandlerDeps, event: TicketEvent, message: Message) {
  const { uc, runtime } = deps;
  const to = await customerChat(uc, event.customerId);
  if (!to) {
    // The customer never wrote to the bot: nothing to deliver (and nothing pending for the agent to watch).
    if (message.delivery === 'pending') await uc.setDelivery(message.id, 'none');
    return 0;
  }
  const author = message.author?.name ?? to.texts.support;
  // Files an agent sent from Telegram (a ticket's topic, a reply to a post, a DM) move as they are (media
  // stays media), captioned as the reply; files uploaded in the Mini App go as their own kinds (outbound/files).
  const topics = runtime.topicsChatId;
  const album = await albumSourceOf(uc, message);
  if (album) {
    // An album the agent sent from Telegram: the reply's line (which an edit changes), then the album itself.
    const html = to.texts.agentReply(event.ticketId, author, truncate(message.body, TELEGRAM_BODY_MAX));
    let queued = 0;
    await uc.transaction(async (tx) => {
      const line = await enqueueText(tx, to.chatId, html, {
        ticketId: event.ticketId,
        messageId: message.id,
        dedupeKey: `reply:${message.id}`,
        replyMarkup: openTicketKeyboard(runtime, to.texts, event.ticketId),
      });
      const copied = await tx.enqueueTelegram({
        ...albumCopy(to.chatId, album.chatId, message.id, runtime.albumSettleMs, { remove_caption: true }),
        ticketId: event.ticketId,
        messageId: message.id,
        dedupeKey: `reply:${message.id}:album`,
      });
      queued = Number(line) + Number(copied);
    });
    return queued;
  }
  const copies = message.attachments.length > 0 ? await uc.findTelegramCopies(message.id) : [];
  const origin =
    copies.find((c) => c.chatId === topics) ??
    (message.via === 'bot' ? copies.find((c) => c.chatId !== to.chatId) : undefined);
  if (origin) {
    const copied = await enqueueCopy(uc, to.chatId, origin, {
      captionHtml: to.texts.agentReply(event.ticketId, author, truncate(message.body, CAPTION_BODY_MAX)),
      replyMarkup: openTicketKeyboard(runtime, to.texts, event.ticketId),
      ticketId: event.ticketId,
      messageId: message.id,
      dedupeKey: `reply:${message.id}`,
    });
    return copied ? 1 : 0;
  }
  const html = to.texts.agentReply(event.ticketId, author, truncate(message.body, TELEGRAM_BODY_MAX));
  if (message.attachments.length > 0) {
    const sends = planFileSends(
      to.chatId,
      message.attachments,
      html,
      openTicketKeyboard(runtime, to.texts, event.ticketId),
    );
    let queued = 0;
    await uc.transaction(async (tx) => {
      for (const [i, send] of sends.entries()) {
        const added = await tx.enqueueTelegram({
          chatId: to.chatId,
          method: send.method,
          payload: send.payload,
          ticketId: event.ticketId,
          messageId: message.id,
          // The first send is the reply's (an edit finds it); the others follow it.
          dedupeKey: i === 0 ? `reply:${message.id}` : `reply:${message.id}:${i}`,
        });
        if (added) queued += 1;
      }
    });
    return queued;
  }
  const queued = await enqueueText(uc, to.chatId, html, {
    ticketId: event.ticketId,
    messageId: message.id,
    dedupeKey: `reply:${message.id}`,
    replyMarkup: openTicketKeyboard(runtime, to.texts, event.ticketId),
  });
  return queued ? 1 : 0;
}

/**
 * The queued send that carries a reply's text to the customer: the reply's first send (its text, or a file
 * captioned with it), or, when the text was too long for a caption, the message of its own that followed the
 * files. A reply's sends are keyed `reply:<id>`, then `reply:<id>:<i>` — at most one per file and the text.
 */
async function replyTextCopy(uc: UseCases, message: Message) {
  const keys = [`reply:${message.id}`];
  for (let i = 1; i <= message.attachments.length; i++) keys.push(`reply:${message.id}:${i}`);
  const rows = await uc.findOutboxByKeys(keys);
  const first = rows.find((r) => r.dedupeKey === keys[0]);
  return rows.find((r) => r !== first && r.method === 'sendMessage') ?? first;
}

/**
 * An agent's reply edited (in the Mini App, or its Telegram message in a topic or DM): the customer's copy
 * says the same. The edit is recorded on the message (its original kept) by the use-case that made the event.
 */
export async function editCustomerCopy(deps: EventHandlerDeps, event: TicketEvent, message: Message) {
  const { uc, runtime } = deps;
  // message.updated also says a delivery state changed: only an edit (editedAt) changes the copy.
  if (message.editedAt === null) return 0;
  const sent = await replyTextCopy(uc, message);
  if (sent?.status !== 'sent' || sent.telegramMessageId === null) return 0;
  const to = await customerChat(uc, event.customerId);
  if (!to) return 0;
  const author = message.author?.name ?? to.texts.support;
  const target = { chatId: sent.chatId, telegramMessageId: sent.telegramMessageId };
  const replyMarkup = openTicketKeyboard(runtime, to.texts, event.ticketId);
  const dedupeKey = `reply-edit:${message.id}:${message.editedAt}`;
  // A reply that went as a file (the agent's own, copied; or uploaded) carries the text as its caption,
  // unless the text was too long for one and went as a message of its own (then that message is edited).
  const queued =
    sent.method !== 'sendMessage'
      ? await uc.enqueueTelegram({
          chatId: target.chatId,
          method: 'editMessageCaption',
          payload: {
            chat_id: target.chatId,
            message_id: target.telegramMessageId,
            caption: to.texts.agentReply(event.ticketId, author, truncate(message.body, CAPTION_BODY_MAX)),
            parse_mode: 'HTML',
            reply_markup: replyMarkup,
          },
          dedupeKey,
        })
      : await enqueueEdit(uc, target, {
          html: to.texts.agentReply(event.ticketId, author, truncate(message.body, TELEGRAM_BODY_MAX)),
          replyMarkup,
          dedupeKey,
        });
  return queued ? 1 : 0;
}

/** A status change made by staff, told to the customer (a resolve asks for a rating). */
export async function tellCustomerStatus(deps: EventHandlerDeps, event: TicketUpdated) {
  const { uc, runtime } = deps;
  const to = await customerChat(uc, event.customerId);
  if (!to || (await cameWithAgentReply(uc, event))) return 0;
  const { ticket } = event.data;
  const resolved = ticket.status === 'resolved';
  const html =
    ticket.mergedIntoId !== null
      ? to.texts.mergedInto(ticket.id, ticket.mergedIntoId)
      : resolved
        ? to.texts.rateAsk(ticket.id)
        : to.texts.statusChanged(ticket.id, ticket.status);
  const markup = resolved
    ? ratingKeyboard(ticket.id)
    : openTicketKeyboard(runtime, to.texts, ticket.mergedIntoId ?? ticket.id);
  const queued = await enqueueText(uc, to.chatId, html, {
    ticketId: ticket.id,
    dedupeKey: `status:${ticket.id}:${event.seq}`,
    replyMarkup: markup,
  });
  return queued ? 1 : 0;
}

/** An agent asked for the customer's phone: a keyboard whose one button shares their own contact. */
export async function askForContact(deps: EventHandlerDeps, event: TicketUpdated) {
  const to = await customerChat(deps.uc, event.customerId);
  if (!to) return 0;
  const queued = await enqueueText(deps.uc, to.chatId, to.texts.askContact, {
    ticketId: event.ticketId,
    dedupeKey: `contact:${event.ticketId}:${event.seq}`,
    replyMarkup: contactKeyboard(to.texts),
  });
  return queued ? 1 : 0;
}
