import type { TransactionUseCases } from '@tikethet/db';
import type { Actor, User } from '@tikethet/domain';
import { Context } from 'telegraf';
import { type Language, languageFrom, type Texts, t } from '../i18n';

/** telegraf's context plus the update's open transaction and the sender as stored. */
export class BotContext extends Context {
  tx: TransactionUseCases | undefined;
  user: User | undefined;
}

export interface Sender {
  tx: TransactionUseCases;
  user: User;
  actor: Actor;
  language: Language;
  texts: Texts;
}

/** The transaction and sender the first middlewares put on the context (absent only for bot senders). */
export function senderOf(ctx: BotContext): Sender | undefined {
  const { tx, user } = ctx;
  if (!tx || !user) return undefined;
  const language = languageFrom(ctx.from?.language_code ?? user.languageCode);
  return { tx, user, actor: { id: user.id, role: user.role }, language, texts: t(language) };
}
