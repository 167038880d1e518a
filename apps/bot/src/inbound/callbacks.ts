import { DomainError, isStaff } from '@tikethet/domain';
import type { Composer } from 'telegraf';
import { enqueueCallbackAnswer } from '../outbound/enqueue';
import { type BotContext, senderOf } from './context';

/** Inline buttons: «Взять» / Take (atomic claim) on new-ticket posts and the 1–5 rating after resolving. */
export function registerCallbacks(bot: Composer<BotContext>): void {
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
    try {
      await s.tx.claimTicket(s.actor, ticketId);
      await answer(s.texts.taken(ticketId));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await answer(error.code === 'already_claimed' ? s.texts.alreadyTaken : s.texts.failed, true);
    }
  });

  bot.action(/^rate:([1-9][0-9]{0,9}):([1-5])$/, async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    const score = Number(ctx.match[2]);
    try {
      await s.tx.rateTicket(s.actor, Number(ctx.match[1]), { score });
      await enqueueCallbackAnswer(s.tx, ctx.from.id, ctx.callbackQuery.id, s.texts.rated(score));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      await enqueueCallbackAnswer(s.tx, ctx.from.id, ctx.callbackQuery.id, s.texts.failed, true);
    }
  });

  bot.on('callback_query', async (ctx) => {
    const s = senderOf(ctx);
    if (!s) return;
    await enqueueCallbackAnswer(s.tx, ctx.from.id, ctx.callbackQuery.id, '');
  });
}
