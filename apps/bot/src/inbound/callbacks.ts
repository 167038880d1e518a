import { DomainError, isStaff } from '@tikethet/domain';
import type { Composer } from 'telegraf';
import { AGENTS_CHAT_LANGUAGE } from '../i18n';
import { agentPostEdit, openTicketKeyboard } from '../links';
import { enqueueCallbackAnswer, enqueueEdit, type SentMessage } from '../outbound/enqueue';
import type { BotRuntime } from '../runtime';
import { type BotContext, senderOf } from './context';

/** The bot's message whose button was pressed, when Telegram still describes it (it is not too old). */
function pressedMessage(ctx: BotContext) {
  const message = ctx.callbackQuery?.message;
  return message && message.date !== 0 ? message : undefined;
}

/** A message Telegram describes, as the outbox names it. */
function sent(message: { chat: { id: number }; message_id: number }): SentMessage {
  return { chatId: message.chat.id, telegramMessageId: message.message_id };
}

/** Inline buttons: «Взять» / Take (atomic claim) on new-ticket posts and the 1–5 rating after resolving. */
export function registerCallbacks(bot: Composer<BotContext>, runtime: BotRuntime): void {
  bot.action(/^take:([1-9][0-9]{0,9})$/, async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    const answer = (text: string, alert = false) =>
      enqueueCallbackAnswer(s.tx, ctx.from.id, ctx.callbackQuery.id, text, alert);
    if (!isStaff(s.user.role)) {
      await answer(s.texts.agentsOnly, true);
      return;
    }
    const ticketId = Number(ctx.match[1]);
    let claimed = false;
    try {
      await s.tx.claimTicket(s.actor, ticketId);
      claimed = true;
      await answer(s.texts.taken(ticketId));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await answer(error.code === 'already_claimed' ? s.texts.alreadyTaken : s.texts.failed, true);
    }
    // The post shows who has the ticket now, so nobody else in the group presses Take for nothing: the
    // presser once the claim went through, else whoever it found there.
    const post = pressedMessage(ctx);
    if (!post) return;
    const assigneeId = claimed ? s.user.id : (await s.tx.findTicket(ticketId))?.assigneeId;
    const assignee = claimed ? s.user : assigneeId ? await s.tx.getUser(assigneeId) : null;
    if (!assignee) return;
    const privateChat = post.chat.type === 'private';
    const language = privateChat ? s.language : AGENTS_CHAT_LANGUAGE;
    // Pressed again with the same assignee: the edit's key is taken, the post already says so.
    await enqueueEdit(
      s.tx,
      sent(post),
      agentPostEdit(runtime, { ...sent(post), language, privateChat }, ticketId, assignee),
    );
  });

  bot.action(/^rate:([1-9][0-9]{0,9}):([1-5])$/, async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    const ticketId = Number(ctx.match[1]);
    const score = Number(ctx.match[2]);
    const answer = (text: string, alert = false) =>
      enqueueCallbackAnswer(s.tx, ctx.from.id, ctx.callbackQuery.id, text, alert);
    try {
      await s.tx.rateTicket(s.actor, ticketId, { score });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // A reopened ticket is not rated now; saying "try again" would send the customer round in circles.
      await answer(error.code === 'invalid_transition' ? s.texts.rateNotNow : s.texts.failed, true);
      return;
    }
    await answer(s.texts.rated(score));
    // The request shows the score given instead of five buttons that seem to wait for one.
    const asked = pressedMessage(ctx);
    if (asked) {
      await enqueueEdit(s.tx, sent(asked), {
        html: s.texts.ratedNotice(ticketId, score),
        replyMarkup: openTicketKeyboard(runtime, s.texts, ticketId),
      });
    }
  });

  bot.on('callback_query', async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    await enqueueCallbackAnswer(s.tx, ctx.from.id, ctx.callbackQuery.id, '');
  });
}
