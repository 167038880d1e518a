import type { OutboxItem } from '@tikethet/db';
import {
  CAPTION_MAX,
  displayName,
  formatExpectedTime,
  isStaff,
  type Message,
  type TicketEvent,
} from '@tikethet/domain';
import { truncate } from '../format';
import { AGENTS_CHAT_LANGUAGE, languageFrom, t } from '../i18n';
import { agentDmKeyboard, agentPostEdit, agentPostKeyboard, type SentPost } from '../links';
import { albumCopy, albumSourceOf } from '../outbound/albums';
import { enqueueCopy, enqueueEdit, enqueueText } from '../outbound/enqueue';
import { planFileSends } from '../outbound/files';
import type { EventHandlerDeps, TicketUpdated } from './deps';

/** How much of a customer's message an agent's DM previews (the whole of it is one tap away). */
const PREVIEW_MAX = 1000;

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
    language: languageFrom(row.languageCode),
    texts: t(languageFrom(row.languageCode)),
  };
}

/**
 * A customer's message on an assigned ticket, told to its assignee in their DM. The DM stands for the ticket
 * (it carries the ticketId), so the agent's Telegram reply to it is posted on the ticket as theirs.
 */
export async function tellAssignee(deps: EventHandlerDeps, event: TicketEvent, message: Message) {
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
  const album = await albumSourceOf(uc, message);
  if (album) {
    // An album: the line, then the album as one (its items copied together once they are all in).
    let queued = 0;
    await uc.transaction(async (tx) => {
      const line = await enqueueText(tx, to.chatId, html, {
        ticketId: event.ticketId,
        dedupeKey,
        replyMarkup,
      });
      const copied = await tx.enqueueTelegram({
        ...albumCopy(to.chatId, album.chatId, message.id, runtime.albumSettleMs),
        ticketId: event.ticketId,
        dedupeKey: `${dedupeKey}:media`,
      });
      queued = Number(line) + Number(copied);
    });
    return queued;
  }
  const origin =
    message.via === 'bot' && message.attachments.length > 0
      ? (await uc.findTelegramCopies(message.id)).find((c) => c.chatId !== to.chatId)
      : undefined;
  const captionless = message.attachments.some((a) => a.kind === 'sticker' || a.kind === 'video_note');
  if (origin && !captionless && html.length <= CAPTION_MAX) {
    const copied = await enqueueCopy(uc, to.chatId, origin, {
      captionHtml: html,
      replyMarkup,
      ticketId: event.ticketId,
      dedupeKey,
    });
    return copied ? 1 : 0;
  }
  let queued = (await enqueueText(uc, to.chatId, html, { ticketId: event.ticketId, dedupeKey, replyMarkup }))
    ? 1
    : 0;
  if (origin) {
    const copied = await enqueueCopy(uc, to.chatId, origin, {
      ticketId: event.ticketId,
      dedupeKey: `${dedupeKey}:media`,
    });
    if (copied) queued += 1;
  }
  return queued;
}

/** A ticket someone else assigned to an agent, told to that agent (unless it has gone to another since). */
export async function tellNewAssignee(deps: EventHandlerDeps, event: TicketUpdated) {
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

/** What follows a new-ticket post: the opening message's files, as the sends that carry them into a chat. */
type OpeningMedia = (chatId: number) => Array<Pick<OutboxItem, 'method' | 'payload' | 'delayMs'>>;

/**
 * A ticket opened with files: what carries them where the new-ticket post goes, after it. From Telegram, the
 * customer's message itself is copied (media stays media; an album as one, `copyMessages`, once its items are
 * in); from the Mini App, the uploaded files go as their own kinds (outbound/files.ts: sendPhoto,
 * sendDocument, sendMediaGroup..., then by the file id Telegram gives). Read while handling `ticket.created`,
 * so the sends are queued after the post in the same transaction: handled from the message's own
 * `message.created`, which runs concurrently with the ticket's, they could overtake the post.
 */
async function openingMedia(
  deps: EventHandlerDeps,
  ticketId: number,
  customerId: number,
): Promise<OpeningMedia | undefined> {
  const { uc, runtime } = deps;
  const message = await uc.findMessageBySeq(ticketId, OPENING_MESSAGE_SEQ);
  if (!message || message.attachments.length === 0) return undefined;
  if (message.via !== 'bot') {
    const files = message.attachments;
    return (chatId) => planFileSends(chatId, files, '', undefined);
  }
  const album = await albumSourceOf(uc, message);
  if (album) return (chatId) => [albumCopy(chatId, album.chatId, message.id, runtime.albumSettleMs)];
  const source = (await uc.findTelegramCopies(message.id)).find((c) => c.chatId === customerId);
  if (!source) return undefined;
  return (chatId) => [
    {
      method: 'copyMessage',
      payload: { chat_id: chatId, from_chat_id: source.chatId, message_id: source.telegramMessageId },
    },
  ];
}

/** A new ticket, posted for agents with Take and Open, its opening files after the post. */
export async function postNewTicket(deps: EventHandlerDeps, event: TicketEvent & { type: 'ticket.created' }) {
  const { uc, runtime } = deps;
  const { ticket } = event.data;
  const customer = await uc.getUser(ticket.customerId);
  const name = customer ? displayName(customer) : String(ticket.customerId);
  const preview = truncate(ticket.lastMessagePreview ?? '', PREVIEW_MAX);
  const targets = await postTargets(deps, ticket.customerId);
  const media = await openingMedia(deps, ticket.id, ticket.customerId);
  let queued = 0;
  await uc.transaction(async (tx) => {
    for (const target of targets) {
      const texts = t(target.language);
      const key = postKey(ticket.id, target.chatId);
      const added = await enqueueText(
        tx,
        target.chatId,
        texts.newTicket(ticket.id, ticket.subject, name, preview),
        {
          ticketId: ticket.id,
          dedupeKey: key,
          replyMarkup: agentPostKeyboard(texts, runtime, { id: ticket.id, privateChat: target.privateChat }),
        },
      );
      if (added) queued += 1;
      for (const [i, send] of (media?.(target.chatId) ?? []).entries()) {
        const sent = await tx.enqueueTelegram({
          chatId: target.chatId,
          ...send,
          ticketId: ticket.id,
          dedupeKey: i === 0 ? `${key}:media` : `${key}:media:${i}`,
        });
        if (sent) queued += 1;
      }
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
export async function refreshPosts(deps: EventHandlerDeps, event: TicketUpdated) {
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
export async function tellSlaAlert(deps: EventHandlerDeps, event: TicketUpdated) {
  const { uc, runtime } = deps;
  const { ticket, slaAlert } = event.data;
  if (!slaAlert) return 0;
  const assignee = await assigneeChat(deps, ticket.id);
  const targets = assignee
    ? [{ chatId: assignee.chatId, language: assignee.language, privateChat: true }]
    : await postTargets(deps, ticket.customerId);
  // The due time as the team reads its hours: in the business time zone, named.
  const { timezone } = await uc.readServiceLevels();
  let queued = 0;
  for (const target of targets) {
    const texts = t(target.language);
    const dueAt = formatExpectedTime(new Date(slaAlert.dueAt), timezone, target.language);
    const html = texts.slaAlert(ticket.id, ticket.subject, slaAlert.kind === 'breach', dueAt);
    const added = await enqueueText(uc, target.chatId, html, {
      ticketId: ticket.id,
      dedupeKey: `sla:${ticket.id}:${event.seq}:${target.chatId}`,
      replyMarkup: agentDmKeyboard(texts, runtime, ticket.id, target.privateChat),
    });
    if (added) queued += 1;
  }
  return queued;
}
