import type { Logger } from '@tikethet/config';
import type { UseCases } from '@tikethet/db';
import { TelegramError } from 'telegraf';
import type { BotRuntime } from '../runtime';

type Call = (method: string, payload: Record<string, unknown>) => Promise<unknown>;

/** kv_state key of the groups that became supergroups: `{ "<old id>": <new id> }`. */
export const MIGRATED_KEY = 'bot:migrated-chats';

/** The agents' group's mode: topics (a forum), group posts, or DMs to every agent (no group). */
export type AgentsMode = 'topics' | 'group' | 'dm';

/** Groups that became supergroups, as remembered from earlier runs. */
export async function loadMigrations(uc: UseCases, runtime: BotRuntime): Promise<void> {
  const saved = (await uc.getState(MIGRATED_KEY)) as Record<string, number> | null;
  runtime.migratedChats = new Map(
    Object.entries(saved ?? {}).map(([from, to]) => [Number(from), Number(to)]),
  );
  const configured = runtime.agentsChatId;
  if (configured !== undefined) runtime.agentsChatId = runtime.migratedChats.get(configured) ?? configured;
}

/**
 * Asks Telegram what the agents' group is (getChat): a forum supergroup means one topic per ticket. A group
 * Telegram cannot describe (the bot was removed, a wrong id) keeps the group posts, said in the log.
 */
export async function detectAgentsMode(call: Call, runtime: BotRuntime, logger: Logger): Promise<AgentsMode> {
  const chatId = runtime.agentsChatId;
  runtime.topicsChatId = undefined;
  if (chatId === undefined) {
    logger.info({ mode: 'dm' }, 'agents mode: no AGENTS_CHAT_ID, new tickets go to agents by DM');
    return 'dm';
  }
  try {
    const chat = (await call('getChat', { chat_id: chatId })) as { is_forum?: boolean };
    if (chat.is_forum) {
      runtime.topicsChatId = chatId;
      logger.info({ mode: 'topics', chatId }, 'agents mode: forum topics, one topic per ticket');
      return 'topics';
    }
  } catch (error) {
    // A 5xx or network failure is worth another try; an answer about the chat is not.
    if (!(error instanceof TelegramError) || error.code >= 500 || error.code === 429) throw error;
    logger.warn({ chatId, err: error.description }, 'agents chat not readable; posting without topics');
  }
  logger.info({ mode: 'group', chatId }, 'agents mode: group posts (not a forum)');
  return 'group';
}

/**
 * A group became a supergroup: the new id from now on, remembered for the next start, and the mode asked
 * again (a new supergroup may be a forum).
 */
export async function recordMigration(
  deps: { uc: UseCases; runtime: BotRuntime; logger: Logger; call: Call },
  fromChatId: number,
  toChatId: number,
): Promise<void> {
  const { uc, runtime, logger } = deps;
  if (runtime.migratedChats?.get(fromChatId) === toChatId) return;
  runtime.migratedChats = new Map(runtime.migratedChats ?? []).set(fromChatId, toChatId);
  await uc.setState(MIGRATED_KEY, Object.fromEntries(runtime.migratedChats));
  logger.info({ fromChatId, toChatId }, 'group became a supergroup; using its new id');
  if (runtime.agentsChatId === fromChatId) {
    runtime.agentsChatId = toChatId;
    await detectAgentsMode(deps.call, runtime, logger).catch((error: unknown) =>
      logger.warn({ err: error }, 'agents mode not checked after migration'),
    );
  }
}
