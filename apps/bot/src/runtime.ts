/** What can change while the bot runs (a new tunnel URL) and what it learns at start (its username). */
export interface BotRuntime {
  publicUrl: string | undefined;
  webhookUrl: string | undefined;
  botUsername: string | undefined;
}
