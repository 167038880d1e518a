import type { UseCases } from '@tikethet/db';
import { CAPTION_MAX, displayName, isStaff, type Message, type TicketEvent } from '@tikethet/domain';
import { TELEGRAM_BODY_MAX, truncate } from '../format';
import { AGENTS_CHAT_LANGUAGE, languageFrom, t } from '../i18n';
import {
  agentDmKeyboard,
  agentPostEdit,
  agentPostKeyboard,
  contactKeyboard,
  openTicketKeyboard,
  ratingKeyboard,
  type SentPost,
} from '../links';
import { enqueueEdit, enqueueText } from '../outbound/enqueue';
import { planFileSends } from '../outbound/files';
import type { BotRuntime } from '../runtime';
import { mirrorTicket } from '../topics/mirror';
import type { AssigneeTracker } from './assignees';

export interface EventHandlerDeps {
  uc: UseCases;
  runtime: BotRuntime;
  agentsChatId: number | undefined;
  /** Tickets' assignees as the event stream told them (the consumer's); without it, every lookup reads. */
  assignees?: AssigneeTracker;
}

type TicketUpdated = TicketEvent & { type: 'ticket.updated' };

/** A caption holds 1024 characters: the reply's body, leaving room for its header. */
const CAPTION_BODY_MAX = 900;

/** How much of a customer's message an agent's DM previews (the whole of it is one tap away). */
const PREVIEW_MAX = 1000;

/** A status change or a merge (which closes the ticket into another): the customer hears of it. */
const tellsCustomer = (changes: string[]) => changes.includes('status') || changes.includes('mergedIntoId');

/**
 * Whether the bot has anything to do for this event (cheap: no database read). In topic mode every event
 * is mirrored into its ticket's topic.
 */
export function concernsBot(event: TicketEvent, topics = false): boolean {
  if (topics) return true;
  if (event.type === 'message.updated') {
    const { kind } = event.data.message;
    return !event.internal && kind === 'agent';
  }
  if (event.type === 'message.created') {
    // A message a merge moved is old news: it was delivered (or told) when it was written.
    if (event.data.mergedFrom !== undefined) return false;
    const { kind } = event.data.message;
    // System lines (the out-of-hours reply) reach the customer like an agent's reply.
    return !event.internal && (kind === 'agent' || kind === 'customer' || kind === 'system');
  }
  if (event.type === 'ticket.updated') {
    const { changes } = event.data;
    return (
      changes.includes('assigneeId') ||
      changes.includes('sla') ||
      changes.includes('contactRequested') ||
      (tellsCustomer(changes) && event.actorId !== event.customerId)
    );
  }
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
async function cameWithAgentReply(uc: UseCases, event: TicketUpdated) {
  if (event.data.ticket.status !== 'open') return false;
  const before = await uc.findMessageBySeq(event.ticketId, event.seq - 1);
  return before?.kind === 'agent' && before.authorId === event.actorId;
}

/** An agent's public reply, delivered to the customer's chat. */
async function replyToCustomer(deps: EventHandlerDeps, event: TicketEvent, message: Message) {
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
  const copies = message.attachments.length > 0 ? await uc.findTelegramCopies(message.id) : [];
  const origin =
    copies.find((c) => c.chatId === topics) ??
    (message.via === 'bot' ? copies.find((c) => c.chatId !== to.chatId) : undefined);
  if (origin) {
    const copied = await uc.enqueueTelegram({
      chatId: to.chatId,
      method: 'copyMessage',
      payload: {
        chat_id: to.chatId,
        from_chat_id: origin.chatId,
        message_id: origin.telegramMessageId,
        caption: to.texts.agentReply(event.ticketId, author, truncate(message.body, CAPTION_BODY_MAX)),
        parse_mode: 'HTML',
        reply_markup: openTicketKeyboard(runtime, to.texts, event.ticketId),
      },
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
async function editCustomerCopy(deps: EventHandlerDeps, event: TicketEvent, message: Message) {
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

/**
 * The ticket's assignee, where the bot can reach them: null when the ticket has none, the assignee is no
 * longer staff, or never wrote to the bot. One prepared read, whose answer the tracker keeps.
 */
async function assigneeChat(deps: EventHandlerDeps, ticketId: number) {
  const row = await deps.uc.findAssigneeChat(ticketId);
  if (row) deps.assignees?.seed(ticketId, row.lastSeq, row.assigneeId);
  if (!row || row.assigneeId === null || row.chatId === null || row.role === null || !isStaff(row.role))
    return null;
  return {
    assigneeId: row.assigneeId,
    chatId: row.chatId,
    subject: row.subject,
    texts: t(languageFrom(row.languageCode)),
  };
}

/**
 * A customer's message on an assigned ticket, told to its assignee in their DM. The DM stands for the ticket
 * (it carries the ticketId), so the agent's Telegram reply to it is posted on the ticket as theirs.
 */
async function tellAssignee(deps: EventHandlerDeps, event: TicketEvent, message: Message) {
  const { uc, runtime } = deps;
  // Known to be unassigned (most customer messages): nobody to tell, and no read to find that out.
  if (deps.assignees?.assigneeBefore(event.ticketId, event.seq) === null) return 0;
  const to = await assigneeChat(deps, event.ticketId);
  if (!to || to.assigneeId === message.authorId) return 0;
  const customer = message.author?.name ?? String(event.customerId);
  const html = to.texts.customerWrote(
    event.ticketId,
    to.subject,
    customer,
    truncate(message.body, PREVIEW_MAX),
  );
  const replyMarkup = agentDmKeyboard(to.texts, runtime, event.ticketId);
  const dedupeKey = `notify:${message.id}:${to.chatId}`;
  // A customer's photo, voice, video or document reaches the assignee as the media itself, copied from the
  // customer's chat and captioned with the ticket (stickers and round videos take no caption: text first).
  const origin =
    message.via === 'bot' && message.attachments.length > 0
      ? (await uc.findTelegramCopies(message.id)).find((c) => c.chatId !== to.chatId)
      : undefined;
  const captionless = message.attachments.some((a) => a.kind === 'sticker' || a.kind === 'video_note');
  if (origin && !captionless && html.length <= CAPTION_MAX) {
    const copied = await uc.enqueueTelegram({
      chatId: to.chatId,
      method: 'copyMessage',
      payload: {
        chat_id: to.chatId,
        from_chat_id: origin.chatId,
        message_id: origin.telegramMessageId,
        caption: html,
        parse_mode: 'HTML',
        reply_markup: replyMarkup,
      },
      ticketId: event.ticketId,
      dedupeKey,
    });
    return copied ? 1 : 0;
  }
  let queued = (await enqueueText(uc, to.chatId, html, { ticketId: event.ticketId, dedupeKey, replyMarkup }))
    ? 1
    : 0;
  if (origin) {
    const copied = await uc.enqueueTelegram({
      chatId: to.chatId,
      method: 'copyMessage',
      payload: { chat_id: to.chatId, from_chat_id: origin.chatId, message_id: origin.telegramMessageId },
      ticketId: event.ticketId,
      dedupeKey: `${dedupeKey}:media`,
    });
    if (copied) queued += 1;
  }
  return queued;
}

/** A status change made by staff, told to the customer (a resolve asks for a rating). */
async function tellCustomerStatus(deps: EventHandlerDeps, event: TicketUpdated) {
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
async function askForContact(deps: EventHandlerDeps, event: TicketUpdated) {
  const to = await customerChat(deps.uc, event.customerId);
  if (!to) return 0;
  const queued = await enqueueText(deps.uc, to.chatId, to.texts.askContact, {
    ticketId: event.ticketId,
    dedupeKey: `contact:${event.ticketId}:${event.seq}`,
    replyMarkup: contactKeyboard(to.texts),
  });
  return queued ? 1 : 0;
}

/** A ticket someone else assigned to an agent, told to that agent (unless it has gone to another since). */
async function tellNewAssignee(deps: EventHandlerDeps, event: TicketUpdated) {
  const { uc, runtime } = deps;
  const { ticket } = event.data;
  if (ticket.assigneeId === null || ticket.assigneeId === event.actorId) return 0;
  const to = await assigneeChat(deps, ticket.id);
  if (!to || to.assigneeId !== ticket.assigneeId) return 0;
  const actor = event.actorId === null ? null : await uc.getUser(event.actorId);
  const html = to.texts.assignedToYou(ticket.id, to.subject, actor ? displayName(actor) : null);
  const queued = await enqueueText(uc, to.chatId, html, {
    ticketId: ticket.id,
    dedupeKey: `assigned:${ticket.id}:${event.seq}:${to.chatId}`,
    replyMarkup: agentDmKeyboard(to.texts, runtime, ticket.id),
  });
  return queued ? 1 : 0;
}

type PostTarget = Omit<SentPost, 'telegramMessageId'>;

/** Where new-ticket posts go: the agents' group, or else the DM of every agent who is not the customer. */
async function postTargets(deps: EventHandlerDeps, customerId: number): Promise<PostTarget[]> {
  if (deps.agentsChatId !== undefined) {
    return [{ chatId: deps.agentsChatId, language: AGENTS_CHAT_LANGUAGE, privateChat: false }];
  }
  return (await deps.uc.listStaffChats())
    .filter((s) => s.id !== customerId)
    .map((s) => ({ chatId: s.botChatId, language: languageFrom(s.languageCode), privateChat: true }));
}

const postKey = (ticketId: number, chatId: number) => `created:${ticketId}:${chatId}`;

/** A ticket's opening message is its seq 2 (1 is `ticket.created`): see createTicket in packages/db. */
const OPENING_MESSAGE_SEQ = 2;

/**
 * A ticket opened in Telegram with a photo, voice note, video or file: the customer's message itself, to be
 * copied where the new-ticket post goes (media stays media). Read while handling `ticket.created`, so the copy
 * is queued after the post in the same transaction: handled from its own `message.created`, which runs
 * concurrently with the ticket's, it could overtake the post.
 */
async function openingMedia(uc: EventHandlerDeps['uc'], ticketId: number, customerId: number) {
  const message = await uc.findMessageBySeq(ticketId, OPENING_MESSAGE_SEQ);
  if (message?.via !== 'bot' || message.attachments.length === 0) return undefined;
  return (await uc.findTelegramCopies(message.id)).find((c) => c.chatId === customerId);
}

/** A new ticket, posted for agents with Take and Open. */
async function postNewTicket(deps: EventHandlerDeps, event: TicketEvent & { type: 'ticket.created' }) {
  const { uc, runtime } = deps;
  const { ticket } = event.data;
  const customer = await uc.getUser(ticket.customerId);
  const name = customer ? displayName(customer) : String(ticket.customerId);
  const preview = truncate(ticket.lastMessagePreview ?? '', PREVIEW_MAX);
  const targets = await postTargets(deps, ticket.customerId);
  const media = await openingMedia(uc, ticket.id, ticket.customerId);
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
          dedupeKey: postKey(ticket.id, target.chatId),
          replyMarkup: agentPostKeyboard(texts, runtime, { id: ticket.id, privateChat: target.privateChat }),
        },
      );
      if (added) queued += 1;
      if (!media) continue;
      const copied = await tx.enqueueTelegram({
        chatId: target.chatId,
        method: 'copyMessage',
        payload: { chat_id: target.chatId, from_chat_id: media.chatId, message_id: media.telegramMessageId },
        ticketId: ticket.id,
        dedupeKey: `${postKey(ticket.id, target.chatId)}:media`,
      });
      if (copied) queued += 1;
    }
  });
  return queued;
}

/**
 * The new-ticket posts show who has the ticket now — Take again when it is unassigned — whoever changed it
 * (a claim or an assignment in the Mini App, a Take pressed in Telegram). A post not sent yet is left as it
 * will be sent: a Take pressed on it answers "already taken" and refreshes it then.
 *
 * The edit shows the ticket's assignee as read at handling time, not the one in the event: events are not
 * handled in order (a failed one is retried by the catch-up after later ones, live deliveries run
 * concurrently, a backlog A, B, A is replayed at once), and an edit built from an older event, queued last,
 * would leave the post naming someone who no longer has the ticket.
 *
 * An edit's key is the one a Take pressed in Telegram uses, `post:<chat>:<message>:<assignee>`: that press
 * queues its edit in the claim's own transaction, so an edit under that key queued at or after this event
 * means the post already shows this assignee as of a read no older than the event (a second, identical edit
 * Telegram would refuse). An older one was for an earlier assignment to the same agent (A, then B, then A
 * again): this change gets its own key.
 */
async function refreshPosts(deps: EventHandlerDeps, event: TicketUpdated) {
  const { uc, runtime } = deps;
  const { ticket } = event.data;
  const targets = await postTargets(deps, ticket.customerId);
  const found = await uc.findOutboxByKeys(targets.map((target) => postKey(ticket.id, target.chatId)));
  const posts = targets.flatMap((target) => {
    const row = found.find((r) => r.dedupeKey === postKey(ticket.id, target.chatId));
    return row?.status === 'sent' && row.telegramMessageId !== null
      ? [{ ...target, telegramMessageId: row.telegramMessageId }]
      : [];
  });
  if (posts.length === 0) return 0;
  const changedAt = Date.parse(event.createdAt);
  let queued = 0;
  await uc.transaction(async (tx) => {
    const assigneeId = (await tx.findTicket(ticket.id))?.assigneeId ?? null;
    const assignee = assigneeId === null ? null : await tx.getUser(assigneeId);
    const edits = posts.map((post) => ({ post, ...agentPostEdit(runtime, post, ticket.id, assignee) }));
    const earlier = await tx.findOutboxByKeys(edits.map((edit) => edit.dedupeKey));
    for (const { post, dedupeKey: key, replyMarkup } of edits) {
      const prior = earlier.find((r) => r.dedupeKey === key);
      if (prior && Date.parse(prior.createdAt) >= changedAt) continue;
      const dedupeKey = prior ? `${key}:${event.seq}` : key;
      if (await enqueueEdit(tx, post, { replyMarkup, dedupeKey })) queued += 1;
    }
  });
  return queued;
}

/**
 * An SLA warning (15 minutes before) or breach from the timer job: to the assignee's DM, or where new tickets
 * are posted (the agents' chat, else every agent's DM) when nobody has the ticket; with the ticket's button.
 */
async function tellSlaAlert(deps: EventHandlerDeps, event: TicketUpdated) {
  const { uc, runtime } = deps;
  const { ticket, slaAlert } = event.data;
  if (!slaAlert) return 0;
  const assignee = await assigneeChat(deps, ticket.id);
  const targets = assignee
    ? [{ chatId: assignee.chatId, texts: assignee.texts, privateChat: true }]
    : (await postTargets(deps, ticket.customerId)).map((p) => ({
        chatId: p.chatId,
        texts: t(p.language),
        privateChat: p.privateChat,
      }));
  const dueAt = slaAlert.dueAt.slice(0, 16).replace('T', ' ');
  let queued = 0;
  for (const target of targets) {
    const html = target.texts.slaAlert(ticket.id, ticket.subject, slaAlert.kind === 'breach', dueAt);
    const added = await enqueueText(uc, target.chatId, html, {
      ticketId: ticket.id,
      dedupeKey: `sla:${ticket.id}:${event.seq}:${target.chatId}`,
      replyMarkup: agentDmKeyboard(target.texts, runtime, ticket.id, target.privateChat),
    });
    if (added) queued += 1;
  }
  return queued;
}

/**
 * Turns one event into queued Telegram sends. Every send has a dedupe key, so handling the same event
 * twice (bus redelivery, catch-up after a restart) enqueues nothing new.
 */
export async function handleEvent(deps: EventHandlerDeps, event: TicketEvent): Promise<number> {
  const topics = deps.runtime.topicsChatId !== undefined;
  if (!concernsBot(event, topics)) return 0;
  // The topic first: the ticket's card and its topic are queued before anything refers to them.
  const mirrored = topics ? await mirrorTicket(deps, event) : 0;
  return mirrored + (concernsBot(event) ? await deliver(deps, event, topics) : 0);
}

/** The event's sends outside the topic: the customer's chat, the assignee's DM, the group posts. */
async function deliver(deps: EventHandlerDeps, event: TicketEvent, topics: boolean): Promise<number> {
  if (event.type === 'message.updated') return editCustomerCopy(deps, event, event.data.message);
  if (event.type === 'message.created') {
    const message = event.data.message;
    if (message.internal) return 0;
    // In topic mode the ticket's topic carries the customer's words; the assignee is not DM'd them too.
    if (message.kind === 'customer') {
      if (topics) return 0;
      return tellAssignee(deps, event, message);
    }
    return replyToCustomer(deps, event, message);
  }
  if (event.type === 'ticket.updated') {
    const { changes } = event.data;
    let queued = 0;
    if (tellsCustomer(changes) && event.actorId !== event.customerId)
      queued += await tellCustomerStatus(deps, event);
    if (changes.includes('contactRequested')) queued += await askForContact(deps, event);
    if (changes.includes('assigneeId')) {
      queued += await tellNewAssignee(deps, event);
      queued += await refreshPosts(deps, event);
    }
    if (changes.includes('sla')) queued += await tellSlaAlert(deps, event);
    return queued;
  }
  // In topic mode the ticket's card in its topic is the post.
  if (event.type === 'ticket.created' && !topics) return postNewTicket(deps, event);
  return 0;
}
