import { DomainError, type IncomingAttachment, isStaff } from '@tikethet/domain';
import type { Composer } from 'telegraf';
import type { Message } from 'telegraf/types';
import { subjectFrom } from '../format';
import { contactKeyboard, openTicketKeyboard } from '../links';
import { enqueueText } from '../outbound/enqueue';
import type { BotRuntime } from '../runtime';
import { mediaGroupOf, telegramSourceOf } from './albums';
import { attachmentsOf, bodyTextOf, isUnsupportedContent } from './attachments';
import { pendingNewKey } from './commands';
import { type BotContext, type Sender, senderOf } from './context';

/**
 * Posts on the ticket (an internal note with `internal`), linked to the Telegram message (replies and edits
 * find it); null when the ticket takes no message from this sender (closed, not theirs).
 */
export async function tryPost(s: Sender, ticketId: number, body: string, message: Message, internal = false) {
  try {
    return await s.tx.postMessage(
      s.actor,
      ticketId,
      { body, ...(internal ? { internal } : {}) },
      {
        via: 'bot',
        attachments: attachmentsOf(message),
        telegram: telegramSourceOf(message),
      },
    );
  } catch (error) {
    if (
      error instanceof DomainError &&
      ['invalid_transition', 'not_found', 'forbidden'].includes(error.code)
    ) {
      return null;
    }
    throw error;
  }
}

/** A command the bot does not have (`/foo`, `/start@another_bot`); known ones never get here. */
function isUnknownCommand(message: Message): boolean {
  return (
    'text' in message &&
    /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]+)?(\s|$)/.test(message.text) &&
    (message.entities ?? []).some((e) => e.type === 'bot_command' && e.offset === 0)
  );
}

/** Whether a message can open a ticket: words or numbers, or a file that is not a sticker (not just "👍"). */
function describesProblem(text: string, files: IncomingAttachment[]): boolean {
  return /[\p{L}\p{N}]/u.test(text) || files.some((f) => f.kind !== 'sticker');
}

/** What a message puts on a ticket: its text (or caption), its files, and the body — the text, or a line naming the file. */
export function contentOf(s: Sender, message: Message) {
  const files = attachmentsOf(message);
  const text = bodyTextOf(message);
  const first = files[0];
  const body = text || (first ? s.texts.fileLine(first.kind, first.fileName) : '');
  return { text, files, body };
}

/**
 * A private message: to the ticket it replies to, else a pending /new, else the latest open one, else a new
 * ticket. Whatever the bot cannot take (a location, an unknown command, a lone sticker with no ticket to put
 * it on) is answered with what to send instead.
 */
async function fromCustomer(s: Sender, message: Message, runtime: BotRuntime) {
  const chatId = message.chat.id;
  const answer = (html: string) => enqueueText(s.tx, chatId, html, { replyTo: message.message_id });
  const { text, files, body } = contentOf(s, message);
  if (!body) {
    if (isUnsupportedContent(message)) await answer(s.texts.unsupported);
    else if ('text' in message) await answer(s.texts.describeInWords);
    return;
  }
  if (isUnknownCommand(message)) {
    await answer(s.texts.unknownCommand);
    return;
  }
  const pending = (await s.tx.getState(pendingNewKey(s.user.id))) !== null;
  let repliedTo: number | undefined;
  if ('reply_to_message' in message && message.reply_to_message) {
    repliedTo = (await s.tx.findTelegramLink(chatId, message.reply_to_message.message_id))?.ticketId;
  }
  const target = repliedTo ?? (pending ? undefined : (await s.tx.latestOpenTicket(s.user.id))?.id);
  const posted = target === undefined ? null : await tryPost(s, target, body, message);
  if (posted) return;
  if (!describesProblem(text, files)) {
    await answer(s.texts.describeInWords);
    return;
  }
  if (await mustShareContactFirst(s)) {
    await holdForContact(s, message, { body, files });
    return;
  }
  const subject = subjectFrom(body);
  const created = await s.tx.createTicket(
    s.actor,
    { subject, body },
    { source: 'bot', attachments: files, telegram: telegramSourceOf(message) },
  );
  if (pending) await s.tx.setState(pendingNewKey(s.user.id), null);
  const id = created.ticket.id;
  // A reply to a closed ticket's message opens a new one: say so, or the customer looks for their answer there.
  const confirmation = s.texts.created(id, created.ticket.subject);
  const html = repliedTo === undefined ? confirmation : `${s.texts.closedSoNew(repliedTo)}\n${confirmation}`;
  await enqueueText(s.tx, chatId, html, {
    replyTo: message.message_id,
    ticketId: id,
    dedupeKey: `confirm:${id}`,
    replyMarkup: openTicketKeyboard(runtime, s.texts, id),
  });
}

/** An agent's reply (in the agents' group or a DM) to the bot's post about a ticket: the agent's message. */
async function fromAgentReply(s: Sender, message: Message) {
  if (!isStaff(s.user.role) || !('reply_to_message' in message) || !message.reply_to_message) return false;
  const link = await s.tx.findTelegramLink(message.chat.id, message.reply_to_message.message_id);
  if (!link) return false;
  const ticket = await s.tx.findTicket(link.ticketId);
  if (!ticket || ticket.customerId === s.user.id) return false;
  // A screenshot without a caption is the agent's message too: the customer is told and sees it in the Mini App.
  const { body } = contentOf(s, message);
  if (!body) return true;
  await tryPost(s, link.ticketId, body, message);
  return true;
}

/**
 * A contact shared in the private chat: the sender's own (the `request_contact` button, or the Mini App's
 * requestContact) is stored as their verified phone and thanked for. Anyone else's, or a forwarded card, is
 * not theirs to verify: false, and it goes on as an ordinary message (its text line on the ticket).
 */
async function ownContact(s: Sender, message: Message, runtime: BotRuntime): Promise<boolean> {
  if (message.chat.type !== 'private' || !('contact' in message) || 'forward_origin' in message) return false;
  if (!(await s.tx.recordOwnContact(s.user.id, message.contact))) return false;
  await enqueueText(s.tx, message.chat.id, s.texts.contactSaved, {
    replyTo: message.message_id,
    replyMarkup: { remove_keyboard: true },
  });
  await openHeldTicket(s, runtime);
  return true;
}

/** The first message a customer wrote while the contact step held it back (kv_state, one per customer). */
interface HeldMessage {
  body: string;
  files: IncomingAttachment[];
  chatId: number;
  telegramMessageId: number;
  /** The album it is the first item of: the album's later items add their files (and their messages) to it. */
  album?: { mediaGroupId: string; hasText: boolean; more: number[] };
}
const heldKey = (userId: number) => `contact-first:${userId}`;

/** The admins' contact step is on and this customer has not shared their own phone yet. */
async function mustShareContactFirst(s: Sender): Promise<boolean> {
  if (isStaff(s.user.role) || !(await s.tx.contactStepRequired())) return false;
  return !(await s.tx.hasVerifiedPhone(s.user.id));
}

/**
 * Keeps the message that would open a ticket and asks for the phone with the request_contact button. A later
 * contact that is not theirs (kept as text otherwise) does not replace the message held.
 */
async function holdForContact(
  s: Sender,
  message: Message,
  content: { body: string; files: IncomingAttachment[] },
) {
  const key = heldKey(s.user.id);
  const held = (await s.tx.getState(key)) as HeldMessage | null;
  const mediaGroupId = mediaGroupOf(message);
  if (held?.album && held.album.mediaGroupId === mediaGroupId) {
    // A later item of the album held: its files join it, and the customer was asked once already.
    const album = { ...held.album, more: [...held.album.more, message.message_id] };
    await s.tx.setState(key, { ...held, files: [...held.files, ...content.files], album });
    return;
  }
  if (!held || !('contact' in message)) {
    const value: HeldMessage = { ...content, chatId: message.chat.id, telegramMessageId: message.message_id };
    const source = telegramSourceOf(message);
    if (source.album) value.album = { ...source.album, more: [] };
    await s.tx.setState(key, value);
  }
  await enqueueText(s.tx, message.chat.id, s.texts.askContact, {
    replyTo: message.message_id,
    replyMarkup: contactKeyboard(s.texts),
  });
}

/** Once the customer shared their own phone, the message the contact step held becomes their ticket. */
async function openHeldTicket(s: Sender, runtime: BotRuntime) {
  const key = heldKey(s.user.id);
  const held = (await s.tx.getState(key)) as HeldMessage | null;
  if (!held) return;
  await s.tx.setState(key, null);
  await s.tx.setState(pendingNewKey(s.user.id), null);
  const created = await s.tx.createTicket(
    s.actor,
    { subject: subjectFrom(held.body), body: held.body },
    {
      source: 'bot',
      attachments: held.files,
      telegram: {
        chatId: held.chatId,
        telegramMessageId: held.telegramMessageId,
        ...(held.album
          ? { album: { mediaGroupId: held.album.mediaGroupId, hasText: held.album.hasText } }
          : {}),
      },
    },
  );
  const id = created.ticket.id;
  // An album held: each of its later items stands for the message too (a reply to any lands on the ticket).
  for (const telegramMessageId of held.album?.more ?? []) {
    await s.tx.linkTelegramMessage({
      chatId: held.chatId,
      telegramMessageId,
      ticketId: id,
      messageId: created.message.id,
    });
  }
  await enqueueText(s.tx, held.chatId, s.texts.created(id, created.ticket.subject), {
    replyTo: held.telegramMessageId,
    ticketId: id,
    dedupeKey: `confirm:${id}`,
    replyMarkup: openTicketKeyboard(runtime, s.texts, id),
  });
}

export function registerMessages(bot: Composer<BotContext>, runtime: BotRuntime): void {
  bot.on('message', async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    const message = ctx.message;
    if (await ownContact(s, message, runtime)) return;
    if (await fromAgentReply(s, message)) return;
    if (message.chat.type === 'private') await fromCustomer(s, message, runtime);
  });

  bot.on('edited_message', async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    const message = ctx.editedMessage;
    const text = bodyTextOf(message);
    if (!text) return;
    const link = await s.tx.findTelegramLink(message.chat.id, message.message_id);
    if (!link?.messageId) return;
    try {
      await s.tx.editMessage(s.actor, link.messageId, text);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
    }
  });
}
