import type { Logger } from '@tikethet/config';
import type { UseCases } from '@tikethet/db';
import { DomainError, type TelegramProfile } from '@tikethet/domain';
import type { Telegraf } from 'telegraf';
import type { Update, User } from 'telegraf/types';
import type { BotMetrics } from '../metrics';
import type { BotContext } from './context';

export type UpdateOutcome = 'processed' | 'duplicate' | 'rejected';

export function profileOf(from: User): TelegramProfile {
  const profile: TelegramProfile = { id: from.id, first_name: from.first_name.slice(0, 256) };
  if (from.last_name) profile.last_name = from.last_name.slice(0, 256);
  if (from.username) profile.username = from.username;
  if (from.language_code) profile.language_code = from.language_code;
  return profile;
}

/**
 * The first middleware: everything an update does happens in ONE transaction that starts by claiming its
 * update_id, so a redelivered update (webhook retry, polling restart, 50 copies at once) changes nothing.
 * Outbound messages are rows of telegram_outbox written in the same transaction.
 */
export function useTransaction(
  bot: Telegraf<BotContext>,
  uc: UseCases,
  outcomes: WeakMap<object, UpdateOutcome>,
) {
  bot.use(async (ctx, next) => {
    await uc.transaction(async (tx) => {
      if (!(await tx.claimTelegramUpdate(ctx.update.update_id))) {
        outcomes.set(ctx.update, 'duplicate');
        return;
      }
      outcomes.set(ctx.update, 'processed');
      const from = ctx.from;
      if (!from || from.is_bot) return;
      const chat = ctx.chat;
      ctx.tx = tx;
      // Inside the transaction on purpose: the user row's lock makes a sender's concurrent updates (an album's
      // photos) take turns, so the second one sees the ticket the first one opened.
      ctx.user = await tx.upsertUser(profileOf(from), chat?.type === 'private' ? { botChatId: chat.id } : {});
      try {
        await next();
      } finally {
        ctx.tx = undefined;
      }
    });
  });
}

/**
 * Runs one update. Infrastructure failures (the database) throw, so the webhook answers 5xx and polling
 * retries; an input the use-cases reject is recorded as processed and logged, never retried forever.
 */
export function createUpdateProcessor(deps: {
  bot: Telegraf<BotContext>;
  uc: UseCases;
  logger: Logger;
  metrics: BotMetrics;
  outcomes: WeakMap<object, UpdateOutcome>;
}) {
  const { bot, uc, logger, metrics, outcomes } = deps;
  return async function processUpdate(update: Update): Promise<UpdateOutcome> {
    try {
      await bot.handleUpdate(update);
      const outcome = outcomes.get(update) ?? 'processed';
      metrics.updates.inc({ outcome });
      return outcome;
    } catch (error) {
      if (error instanceof DomainError) {
        logger.warn({ updateId: update.update_id, code: error.code, err: error.message }, 'update rejected');
        await uc.transaction(async (tx) => {
          await tx.claimTelegramUpdate(update.update_id);
        });
        metrics.updates.inc({ outcome: 'rejected' });
        return 'rejected';
      }
      metrics.updates.inc({ outcome: 'error' });
      throw error;
    }
  };
}
