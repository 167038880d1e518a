import type { Logger } from '@tikethet/config';
import { describeFailure, isTransientFailure, type UseCases } from '@tikethet/db';
import { cleanText, DomainError, type TelegramProfile } from '@tikethet/domain';
import type { Telegraf } from 'telegraf';
import type { Update, User } from 'telegraf/types';
import type { BotMetrics } from '../metrics';
import type { BotContext } from './context';

export type UpdateOutcome = 'processed' | 'duplicate' | 'rejected' | 'dead_letter';

/** The sender as the users table keeps them: strings cleaned and cut (domain text.ts), never refused. */
export function profileOf(from: User): TelegramProfile {
  const text = (value: unknown, max: number) => (typeof value === 'string' ? cleanText(value, max) : '');
  const profile: TelegramProfile = { id: from.id, first_name: text(from.first_name, 256) };
  if (from.last_name) profile.last_name = text(from.last_name, 256);
  if (from.username) profile.username = text(from.username, 64);
  if (from.language_code) profile.language_code = text(from.language_code, 35);
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
 * Runs one update. Only a failure that may go away by itself (the database unreachable, a serialization
 * failure: `isTransientFailure`) throws, so the webhook answers 5xx and polling retries. An input the
 * use-cases reject is recorded as processed and logged; any other failure (a value Postgres refuses, a bug)
 * is kept as a dead letter with the raw update and acknowledged: one poison update never stops the queue.
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
      if (!isTransientFailure(error)) return deadLetter(update, error);
      metrics.updates.inc({ outcome: 'error' });
      throw error;
    }
  };

  /** Keeps the update and acknowledges it; when even that fails (the database went away), the update is retried. */
  async function deadLetter(update: Update, error: unknown): Promise<UpdateOutcome> {
    let recorded: boolean;
    try {
      recorded = await uc.recordDeadLetter({
        updateId: update.update_id,
        update,
        error: describeFailure(error),
      });
    } catch (recordError) {
      logger.error({ err: recordError, updateId: update.update_id }, 'dead letter not recorded; retrying');
      metrics.updates.inc({ outcome: 'error' });
      throw error;
    }
    // Claimed already: another delivery of it was processed or kept first.
    const outcome = recorded ? 'dead_letter' : 'duplicate';
    if (recorded)
      logger.error({ err: error, updateId: update.update_id }, 'update failed; kept as a dead letter');
    metrics.updates.inc({ outcome });
    return outcome;
  }
}
