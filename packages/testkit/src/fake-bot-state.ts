import { learnFiles } from './fake-bot-files';
import type { QueuedUpdate, TgChat, TgMediaFile, TgMessage, TgUpdate, TgUser } from './telegram-types';

export type MediaType =
  | 'photo'
  | 'document'
  | 'voice'
  | 'audio'
  | 'video'
  | 'video_note'
  | 'animation'
  | 'sticker';

/** A file Telegram holds: uploaded by the bot, seen in an update, or put there by a test. */
export interface KnownFile {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path: string;
  type: MediaType;
  /** What a message shows of it besides the ids and size (name, MIME type, dimensions, duration). */
  meta: Partial<TgMediaFile>;
  /** Served at /file/bot<token>/<file_path>; without it, `file_size` bytes (at most 1 KiB) of filler. */
  content?: Buffer;
}

export interface BotInfo extends TgUser {
  username: string;
  can_join_groups: boolean;
  can_read_all_group_messages: boolean;
  supports_inline_queries: boolean;
}

/** One topic of a forum supergroup. */
export interface ForumTopicState {
  threadId: number;
  name: string;
  iconColor: number;
  iconCustomEmojiId?: string;
  closed: boolean;
  /** Created by the bot (which may then edit, close and reopen it without can_manage_topics). */
  byBot: boolean;
}

/** A forum supergroup the test made (`makeForum`): its topics and the bot's rights in it. */
export interface ForumState {
  topics: Map<number, ForumTopicState>;
  /** Thread ids of topics deleted by a person: sends there answer "message thread not found". */
  deleted: Set<number>;
  canManageTopics: boolean;
  canDeleteMessages: boolean;
}

export interface WebhookState {
  url: string;
  secretToken?: string;
  maxConnections?: number;
  allowedUpdates?: string[];
  setAt: number;
}

/** Everything the fake Bot API remembers between calls. */
export interface FakeBotState {
  token: string;
  /** Accept `http://` webhook URLs (Telegram itself insists on https). */
  allowHttpWebhook: boolean;
  botInfo: BotInfo;
  /** Messages by `chatId:messageId`: sent by the bot or seen in pushed updates. */
  messages: Map<string, TgMessage>;
  chats: Map<number | string, TgChat>;
  queue: QueuedUpdate[];
  lastUpdateId: number;
  webhook: WebhookState | undefined;
  /** `setMyCommands` by `scope-json|language_code`. */
  commands: Map<string, unknown[]>;
  /** `setMyDescription` / `setMyShortDescription` / `setMyName` by `kind|language_code`. */
  texts: Map<string, string>;
  /** `setChatMenuButton` by chat id, `default` for the bot-wide one. */
  menuButtons: Map<string, unknown>;
  /** Files Telegram holds, by file_id: what getFile answers and sends may reuse. */
  files: Map<string, KnownFile>;
  /** Private chats whose user blocked the bot: every send there answers 403. */
  blocked: Set<number | string>;
  /** Forum supergroups by chat id. */
  forums: Map<number | string, ForumState>;
  /** Groups upgraded to supergroups: old id -> new id (calls to the old id fail with migrate_to_chat_id). */
  migrated: Map<number | string, number>;
}

export const messageKey = (chatId: number | string, messageId: number) => `${chatId}:${messageId}`;

export function createState(
  token: string,
  botInfo?: Partial<BotInfo>,
  allowHttpWebhook = false,
): FakeBotState {
  const id = Number(token.split(':')[0]) || 123456789;
  return {
    token,
    allowHttpWebhook,
    botInfo: {
      id,
      is_bot: true,
      first_name: 'TiketHet Test',
      username: 'tikethet_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      ...botInfo,
    },
    messages: new Map(),
    chats: new Map(),
    queue: [],
    lastUpdateId: 0,
    webhook: undefined,
    commands: new Map(),
    texts: new Map(),
    menuButtons: new Map(),
    files: new Map(),
    blocked: new Set(),
    forums: new Map(),
    migrated: new Map(),
  };
}

function remember(state: FakeBotState, message: TgMessage | undefined): void {
  if (!message) return;
  state.chats.set(message.chat.id, message.chat);
  state.messages.set(messageKey(message.chat.id, message.message_id), message);
  learnFiles(state.files, message);
  remember(state, message.reply_to_message);
}

/** Gives the update its `update_id` (next after the highest seen) and remembers its chats and messages. */
export function admitUpdate(state: FakeBotState, update: TgUpdate): QueuedUpdate {
  const updateId = update.update_id ?? state.lastUpdateId + 1;
  state.lastUpdateId = Math.max(state.lastUpdateId, updateId);
  remember(state, update.message);
  remember(state, update.edited_message);
  remember(state, update.callback_query?.message);
  return { ...update, update_id: updateId };
}
