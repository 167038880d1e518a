import type { TransactionUseCases, UseCases } from '@tikethet/db';
import { displayName, type Message, type Ticket, type TicketEvent } from '@tikethet/domain';
import { TELEGRAM_BODY_MAX, truncate } from '../format';
import { AGENTS_CHAT_LANGUAGE, t } from '../i18n';
import { agentPostKeyboard } from '../links';
import { albumCopy } from '../outbound/albums';
import { planFileSends } from '../outbound/files';
import type { BotRuntime } from '../runtime';
import { topicClosedFor, topicName } from './names';
import { type TopicTexts, topicTexts } from './texts';

/** Events mirrored per pass; a longer backlog continues on the ticket's next event or the catch-up. */
const EVENTS_PER_PASS = 200;

/** The dedupe key of a ticket's card, the same as the group post's, so the Take button's edits find it. */
export const cardKey = (ticketId: number, chatId: number) => `created:${ticketId}:${chatId}`;

interface Pass {
  tx: TransactionUseCases;
  chatId: number;
  ticketId: number;
  texts: TopicTexts;
  queued: number;
  names: Map<number, string | null>;
  /** How long an album's copy waits for its last items (BOT_ALBUM_SETTLE_MS). */
  settleMs: number | undefined;
}

/** Queues one call into the ticket's topic (message_thread_id is filled in when it is sent). */
async function put(
  pass: Pass,
  dedupeKey: string,
  method: string,
  payload: Record<string, unknown>,
  delayMs?: number,
) {
  const added = await pass.tx.enqueueTelegram({
    chatId: pass.chatId,
    method,
    payload: { chat_id: pass.chatId, ...payload },
    ticketId: pass.ticketId,
    inTopic: true,
    dedupeKey,
    ...(delayMs === undefined ? {} : { delayMs }),
  });
  if (added) pass.queued += 1;
}

const html = (text: string, extra: Record<string, unknown> = {}) => ({
  text,
  parse_mode: 'HTML',
  link_preview_options: { is_disabled: true },
  ...extra,
});

async function nameOf(pass: Pass, userId: number | null): Promise<string | null> {
  if (userId === null) return null;
  if (!pass.names.has(userId)) {
    const user = await pass.tx.getUser(userId);
    pass.names.set(userId, user ? displayName(user) : null);
  }
  return pass.names.get(userId) ?? null;
}

/** The ticket's card: number, subject, customer, with Take and Open (the group post of topic mode). */
async function postCard(pass: Pass, runtime: BotRuntime, ticket: Ticket) {
  const texts = t(AGENTS_CHAT_LANGUAGE);
  const customer = (await nameOf(pass, ticket.customerId)) ?? String(ticket.customerId);
  const assignee = await nameOf(pass, ticket.assigneeId);
  await put(
    pass,
    cardKey(ticket.id, pass.chatId),
    'sendMessage',
    html(texts.newTicket(ticket.id, ticket.subject, customer, '').trimEnd(), {
      reply_markup: agentPostKeyboard(texts, runtime, {
        id: ticket.id,
        privateChat: false,
        ...(assignee ? { assignee } : {}),
      }),
    }),
  );
}

/**
 * A ticket message in the topic: the customer's own Telegram message copied (media stays media), else a
 * line naming who wrote; an agent's reply or note written in this topic is already there.
 */
async function postMessage(pass: Pass, key: string, message: Message) {
  if (message.kind === 'system') return;
  const copies = await pass.tx.findTelegramCopies(message.id);
  if (copies.some((c) => c.chatId === pass.chatId)) return;
  if (message.kind === 'customer') {
    // An album: copied as one once its items are in (outbound/albums.ts).
    const album = message.attachments.length > 0 ? await pass.tx.findAlbumOf(message.id) : null;
    if (album) {
      const copy = albumCopy(pass.chatId, album.chatId, message.id, pass.settleMs);
      await put(pass, key, copy.method, copy.payload, copy.delayMs);
      return;
    }
    const source = copies.find((c) => c.chatId > 0);
    if (source) {
      await put(pass, key, 'copyMessage', {
        from_chat_id: source.chatId,
        message_id: source.telegramMessageId,
      });
      return;
    }
  }
  if (message.attachments.length > 0) {
    // Files written in the Mini App (or with no copy to take): the files themselves, the bot's line as their
    // caption (or after them when too long), as an agent's files reach a customer. The first send keeps the
    // event's key, which postEdit looks up.
    const sends = planFileSends(pass.chatId, message.attachments, lineOf(pass, message), undefined);
    for (const [i, send] of sends.entries())
      await put(pass, i === 0 ? key : `${key}:${i}`, send.method, send.payload);
    return;
  }
  await put(pass, key, 'sendMessage', html(lineOf(pass, message)));
}

/** The bot's line for a ticket message it cannot copy: who wrote what (a note marked as one). */
function lineOf(pass: Pass, message: Message, bodyMax = TELEGRAM_BODY_MAX): string {
  const author = message.author?.name ?? '';
  const body = truncate(message.body, bodyMax);
  if (message.kind === 'customer') return pass.texts.customerWrote(author, body);
  return message.kind === 'note' ? pass.texts.note(author, body) : pass.texts.agentWrote(author, body);
}

/** Telegram's caption limit: a copy's caption is the author's own words, nothing added. */
const CAPTION_MAX = 1024;
/** A body under the bot's line in a caption: room left for the line's author and mark. */
const CAPTION_BODY_MAX = 900;

/**
 * A message edited after it was mirrored (the customer edited their Telegram message, an agent or the
 * customer edited in the Mini App): the topic's copy says the same — the copied message's text or caption,
 * or the bot's line. A copy that is not there to edit (it failed, or is still queued) gets an "edited" line
 * after it instead. A message written in this topic needs nothing: the topic shows the author's own edit.
 * Keyed by the edit's time, so the delivery updates that follow an edit queue nothing.
 */
async function postEdit(pass: Pass, message: Message) {
  if (message.editedAt === null || message.kind === 'system') return;
  const copies = await pass.tx.findTelegramCopies(message.id);
  if (copies.some((c) => c.chatId === pass.chatId)) return;
  const key = `topic-edit:${message.id}:${message.editedAt}`;
  const author = message.author?.name ?? '';
  const createdSeq = await pass.tx.findMessageCreatedSeq(pass.ticketId, message.id);
  const [copy] =
    createdSeq === null ? [] : await pass.tx.findOutboxByKeys([`topic:${pass.ticketId}:${createdSeq}`]);
  if (copy?.status !== 'sent' || copy.telegramMessageId === null) {
    await put(
      pass,
      key,
      'sendMessage',
      html(pass.texts.edited(author, truncate(message.body, TELEGRAM_BODY_MAX))),
    );
    return;
  }
  const target = { chat_id: copy.chatId, message_id: copy.telegramMessageId };
  // A copy of the customer's message (or album: its first item, which carries the caption) is edited as theirs.
  const copied = copy.method === 'copyMessage' || copy.method === 'copyMessages';
  const edit = !copied
    ? copy.method === 'sendMessage'
      ? { method: 'editMessageText', payload: { ...target, ...html(lineOf(pass, message)) } }
      : // The bot's own file send: its caption is the line.
        {
          method: 'editMessageCaption',
          payload: { ...target, caption: lineOf(pass, message, CAPTION_BODY_MAX), parse_mode: 'HTML' },
        }
    : message.attachments.length > 0
      ? {
          method: 'editMessageCaption',
          payload: { ...target, caption: truncate(message.body, CAPTION_MAX) },
        }
      : {
          method: 'editMessageText',
          payload: { ...target, text: truncate(message.body, TELEGRAM_BODY_MAX) },
        };
  // An edit names its message: no thread to fill in (the chat may have a new id since, the queue maps it).
  const added = await pass.tx.enqueueTelegram({
    chatId: copy.chatId,
    ...edit,
    ticketId: pass.ticketId,
    dedupeKey: key,
  });
  if (added) pass.queued += 1;
}

/** One-line service posts for a change of status, priority or assignee. */
async function postChanges(pass: Pass, key: string, event: TicketEvent & { type: 'ticket.updated' }) {
  const { ticket, changes } = event.data;
  const actor = await nameOf(pass, event.actorId);
  const lines: string[] = [];
  if (changes.includes('status')) lines.push(pass.texts.status(ticket.status, actor));
  if (changes.includes('priority')) lines.push(pass.texts.priority(ticket.priority, actor));
  if (changes.includes('assigneeId')) {
    const assignee = await nameOf(pass, ticket.assigneeId);
    lines.push(pass.texts.assigned(assignee, actor === assignee ? null : actor));
  }
  if (lines.length > 0) await put(pass, key, 'sendMessage', html(lines.join('\n')));
}

/**
 * Mirrors a ticket into its topic: every event after the last mirrored one, in seq order, each as queued
 * calls with a dedupe key per event; then the topic's name and open/closed state follow the ticket. The
 * ticket's topic row is locked for the pass, so passes of one ticket (live events handled concurrently,
 * the catch-up, other bot instances) take turns: the topic keeps the ticket's order and nothing is queued
 * twice. A ticket seen for the first time (new, or older than topic mode) starts with its card.
 */
export async function mirrorTicket(
  deps: { uc: UseCases; runtime: BotRuntime },
  event: Pick<TicketEvent, 'ticketId' | 'seq' | 'type'>,
): Promise<number> {
  const chatId = deps.runtime.topicsChatId;
  if (chatId === undefined) return 0;
  const { ticketId } = event;
  return deps.uc.transaction(async (tx) => {
    const startAfter = event.type === 'ticket.created' ? 0 : event.seq - 1;
    const topic = await tx.lockTopicMirror(ticketId, chatId, startAfter);
    const pass: Pass = {
      tx,
      chatId: topic.chatId,
      ticketId,
      texts: topicTexts(AGENTS_CHAT_LANGUAGE),
      queued: 0,
      names: new Map(),
      settleMs: deps.runtime.albumSettleMs,
    };
    const events = await tx.readEvents(ticketId, topic.mirroredSeq, EVENTS_PER_PASS);
    if (events.length === 0 && !topic.fresh) return 0;
    let ticket: Ticket | null = null;
    if (topic.fresh && events[0]?.type !== 'ticket.created') {
      ticket = await tx.findTicket(ticketId);
      if (ticket) await postCard(pass, deps.runtime, ticket);
    }
    for (const e of events) {
      const key = `topic:${ticketId}:${e.seq}`;
      if (e.type === 'ticket.created') await postCard(pass, deps.runtime, e.data.ticket);
      else if (e.type === 'message.created') await postMessage(pass, key, e.data.message);
      else if (e.type === 'message.updated') await postEdit(pass, e.data.message);
      else if (e.type === 'ticket.updated') await postChanges(pass, key, e);
      else if (e.type === 'ticket.rated')
        await put(pass, key, 'sendMessage', html(pass.texts.rated(e.data.rating.score)));
      if (e.type === 'ticket.created' || e.type === 'ticket.updated' || e.type === 'ticket.rated')
        ticket = e.data.ticket;
    }
    const last = events[events.length - 1]?.seq ?? topic.mirroredSeq;
    let { name, closed } = topic;
    if (ticket) {
      // The topic follows the ticket: reopened before the name changes, closed after.
      const wantName = topicName(ticket);
      const wantClosed = topicClosedFor(ticket.status);
      if (!wantClosed && closed) await put(pass, `topic:${ticketId}:${last}:reopen`, 'reopenForumTopic', {});
      if (name !== null && wantName !== name)
        await put(pass, `topic:${ticketId}:${last}:name`, 'editForumTopic', { name: wantName });
      if (wantClosed && !closed) await put(pass, `topic:${ticketId}:${last}:close`, 'closeForumTopic', {});
      name = wantName;
      closed = wantClosed;
    }
    await tx.saveTopicMirror(ticketId, { mirroredSeq: last, name, closed });
    return pass.queued;
  });
}
