// Forum supergroups (topics) as the Bot API describes them: createForumTopic and friends, message_thread_id
// on sends, and the answers Telegram gives when a topic is gone, closed, unchanged or out of the bot's rights.
import { BotApiError, badRequest } from './bot-api-error';
import { optionalInt, optionalString, type Params, requireChatId } from './bot-api-params';
import { nextMessageId } from './bot-updates';
import { type FakeBotState, type ForumState, type ForumTopicState, messageKey } from './fake-bot-state';
import type { TgForumTopic, TgMessage } from './telegram-types';

/** The six colours createForumTopic accepts (RGB), the default first. */
export const FORUM_ICON_COLORS = [0x6fb9f0, 0xffd67e, 0xcb86db, 0x8eee98, 0xff93b2, 0xfb6f5f] as const;

export const TOPIC_NAME_MAX = 128;

export const THREAD_NOT_FOUND = 'message thread not found';

export interface MakeForumOptions {
  title?: string;
  /** The bot's administrator right "Manage topics" (default true). */
  canManageTopics?: boolean;
  /** The bot's administrator right "Delete messages" (deleteForumTopic; default true). */
  canDeleteMessages?: boolean;
}

export type MethodHandler = (params: Params) => unknown;

const now = () => Math.floor(Date.now() / 1000);

/**
 * Makes `chatId` a forum supergroup: getChat says `is_forum: true` and topics can be created in it. Called
 * again, it changes the bot's rights and keeps the topics (an admin editing the bot's rights).
 */
export function makeForum(state: FakeBotState, chatId: number, options: MakeForumOptions = {}): ForumState {
  const known = state.forums.get(chatId);
  state.chats.set(chatId, {
    id: chatId,
    type: 'supergroup',
    title: options.title ?? state.chats.get(chatId)?.title ?? `Forum ${chatId}`,
    is_forum: true,
  });
  const forum: ForumState = {
    topics: known?.topics ?? new Map(),
    deleted: known?.deleted ?? new Set(),
    canManageTopics: options.canManageTopics ?? true,
    canDeleteMessages: options.canDeleteMessages ?? true,
  };
  state.forums.set(chatId, forum);
  return forum;
}

function forumOf(state: FakeBotState, chatId: number | string): ForumState {
  const forum = state.forums.get(chatId);
  if (!forum) throw badRequest('the chat is not a forum');
  return forum;
}

function topicOf(forum: ForumState, params: Params): ForumTopicState {
  const threadId = optionalInt(params, 'message_thread_id');
  const topic = threadId === undefined ? undefined : forum.topics.get(threadId);
  if (!topic) throw badRequest('TOPIC_ID_INVALID');
  return topic;
}

/** Editing, closing and reopening need "Manage topics", unless the bot created the topic. */
function mayManage(forum: ForumState, topic: ForumTopicState): void {
  if (!forum.canManageTopics && !topic.byBot) throw badRequest('not enough rights to manage topics');
}

function topicName(params: Params, required: boolean): string | undefined {
  const name = optionalString(params, 'name');
  if (name === undefined && !required) return undefined;
  if (name === undefined || name.length === 0) throw badRequest('TOPIC_TITLE_EMPTY');
  if ([...name].length > TOPIC_NAME_MAX) throw badRequest('TOPIC_TITLE_TOO_LONG');
  return name;
}

/** A service message the topic's change leaves in the chat (kept, so the test can see it). */
function serviceMessage(state: FakeBotState, chatId: number, threadId: number, content: Partial<TgMessage>) {
  const message: TgMessage = {
    message_id: nextMessageId(),
    from: state.botInfo,
    chat: state.chats.get(chatId) ?? { id: chatId, type: 'supergroup' },
    date: now(),
    message_thread_id: threadId,
    is_topic_message: true,
    ...content,
  };
  state.messages.set(messageKey(chatId, message.message_id), message);
  return message;
}

/** Deletes a topic and every message in it (what a person deleting it in the app does). */
export function dropTopic(state: FakeBotState, chatId: number, threadId: number): boolean {
  const forum = state.forums.get(chatId);
  if (!forum?.topics.delete(threadId)) return false;
  forum.deleted.add(threadId);
  for (const [key, message] of state.messages) {
    if (message.chat.id === chatId && message.message_thread_id === threadId) state.messages.delete(key);
  }
  return true;
}

/**
 * The thread a send goes to, checked as Telegram checks it: in a forum, an unknown or deleted topic is
 * "message thread not found", a closed one TOPIC_CLOSED unless the bot may manage topics. The fields the
 * sent message then carries.
 */
export function threadOfSend(
  state: FakeBotState,
  params: Params,
  chatId: number | string,
): Partial<TgMessage> {
  const threadId = optionalInt(params, 'message_thread_id');
  if (threadId === undefined) return {};
  const forum = state.forums.get(chatId);
  if (!forum) {
    // In an ordinary supergroup a thread is a message's reply thread: it must exist.
    if (!state.messages.has(messageKey(chatId, threadId))) throw badRequest(THREAD_NOT_FOUND);
    return { message_thread_id: threadId };
  }
  const topic = forum.topics.get(threadId);
  if (!topic) throw badRequest(THREAD_NOT_FOUND);
  if (topic.closed && !forum.canManageTopics) throw badRequest('TOPIC_CLOSED');
  return { message_thread_id: threadId, is_topic_message: true };
}

/** Calls to a group that became a supergroup fail, naming the new id (Telegram's migrate_to_chat_id). */
export function checkNotMigrated(state: FakeBotState, params: Params): void {
  const value = params.chat_id;
  if (value === undefined) return;
  const chatId = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  const to = state.migrated.get(chatId as number | string);
  if (to !== undefined) {
    throw new BotApiError(400, 'Bad Request: group chat was upgraded to a supergroup chat', {
      migrate_to_chat_id: to,
    });
  }
}

export function createForumHandlers(state: FakeBotState): Record<string, MethodHandler> {
  /** closeForumTopic / reopenForumTopic: TOPIC_NOT_MODIFIED when it already is. */
  const setClosed = (params: Params, closed: boolean) => {
    const chatId = requireChatId(params) as number;
    const forum = forumOf(state, chatId);
    const topic = topicOf(forum, params);
    mayManage(forum, topic);
    if (topic.closed === closed) throw badRequest('TOPIC_NOT_MODIFIED');
    topic.closed = closed;
    serviceMessage(
      state,
      chatId,
      topic.threadId,
      closed ? { forum_topic_closed: {} } : { forum_topic_reopened: {} },
    );
    return true;
  };
  return {
    createForumTopic: (params) => {
      const chatId = requireChatId(params) as number;
      const forum = forumOf(state, chatId);
      if (!forum.canManageTopics) throw badRequest('not enough rights to create a topic');
      const name = topicName(params, true) as string;
      const iconColor = optionalInt(params, 'icon_color') ?? FORUM_ICON_COLORS[0];
      if (!(FORUM_ICON_COLORS as readonly number[]).includes(iconColor))
        throw badRequest('TOPIC_ICON_COLOR_INVALID');
      const iconCustomEmojiId = optionalString(params, 'icon_custom_emoji_id');
      // The topic's id is the id of the service message that opens it.
      const threadId = nextMessageId();
      const topic: ForumTopicState = { threadId, name, iconColor, closed: false, byBot: true };
      if (iconCustomEmojiId) topic.iconCustomEmojiId = iconCustomEmojiId;
      forum.topics.set(threadId, topic);
      const created = {
        name,
        icon_color: iconColor,
        ...(iconCustomEmojiId ? { icon_custom_emoji_id: iconCustomEmojiId } : {}),
      };
      const opening: TgMessage = {
        message_id: threadId,
        from: state.botInfo,
        chat: state.chats.get(chatId) ?? { id: chatId, type: 'supergroup' },
        date: now(),
        message_thread_id: threadId,
        is_topic_message: true,
        forum_topic_created: created,
      };
      state.messages.set(messageKey(chatId, threadId), opening);
      const result: TgForumTopic = { message_thread_id: threadId, ...created };
      return result;
    },
    editForumTopic: (params) => {
      const chatId = requireChatId(params) as number;
      const forum = forumOf(state, chatId);
      const topic = topicOf(forum, params);
      mayManage(forum, topic);
      const name = topicName(params, false);
      const emoji = optionalString(params, 'icon_custom_emoji_id');
      const changed =
        (name !== undefined && name !== topic.name) ||
        (emoji !== undefined && emoji !== (topic.iconCustomEmojiId ?? ''));
      if (!changed) throw badRequest('TOPIC_NOT_MODIFIED');
      if (name !== undefined) topic.name = name;
      if (emoji !== undefined) topic.iconCustomEmojiId = emoji;
      serviceMessage(state, chatId, topic.threadId, {
        forum_topic_edited: {
          ...(name === undefined ? {} : { name }),
          ...(emoji === undefined ? {} : { icon_custom_emoji_id: emoji }),
        },
      });
      return true;
    },
    closeForumTopic: (params) => setClosed(params, true),
    reopenForumTopic: (params) => setClosed(params, false),
    deleteForumTopic: (params) => {
      const chatId = requireChatId(params) as number;
      const forum = forumOf(state, chatId);
      const topic = topicOf(forum, params);
      if (!forum.canDeleteMessages) throw badRequest('not enough rights to delete a topic');
      dropTopic(state, chatId, topic.threadId);
      return true;
    },
  };
}
