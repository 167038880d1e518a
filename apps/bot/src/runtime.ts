/** What can change while the bot runs (a new tunnel URL, a migrated group) and what it learns at start. */
export interface BotRuntime {
  publicUrl: string | undefined;
  webhookUrl: string | undefined;
  botUsername: string | undefined;
  /** The agents' group (AGENTS_CHAT_ID, or the supergroup it became); undefined: agents get DMs. */
  agentsChatId?: number | undefined;
  /** The agents' group when it is a forum (getChat: is_forum): each ticket then has its own topic there. */
  topicsChatId?: number | undefined;
  /** Groups that became supergroups (Telegram's migrate_to_chat_id): old id -> new id. */
  migratedChats?: Map<number, number>;
  /** How long an album's copy waits for the album's last items (BOT_ALBUM_SETTLE_MS). */
  albumSettleMs?: number;
}

/** A chat id as it is now: the supergroup a group became, else itself. */
export function currentChatId(runtime: BotRuntime, chatId: number): number {
  return runtime.migratedChats?.get(chatId) ?? chatId;
}
