// The slice of Bot API types the fake server and the update builders use (https://core.telegram.org/bots/api).

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
  /** A supergroup with topics enabled. */
  is_forum?: boolean;
}

/** A forum topic as createForumTopic answers it. */
export interface TgForumTopic {
  message_thread_id: number;
  name: string;
  icon_color: number;
  icon_custom_emoji_id?: string;
}

export interface TgMessageEntity {
  type: string;
  offset: number;
  length: number;
}

export interface TgPhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}

export interface TgDocument {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size?: number;
}

/** Voice, audio, video, video note, animation or sticker: the fields the fake and the bot read. */
export interface TgMediaFile {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
  duration?: number;
  width?: number;
  height?: number;
  /** Video notes: the side of the square. */
  length?: number;
  /** Stickers. */
  emoji?: string;
  is_animated?: boolean;
  is_video?: boolean;
  type?: string;
}

export interface TgMessage {
  message_id: number;
  from?: TgUser;
  chat: TgChat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: TgMessageEntity[];
  caption?: string;
  caption_entities?: TgMessageEntity[];
  photo?: TgPhotoSize[];
  document?: TgDocument;
  voice?: TgMediaFile;
  audio?: TgMediaFile;
  video?: TgMediaFile;
  video_note?: TgMediaFile;
  animation?: TgMediaFile;
  sticker?: TgMediaFile;
  media_group_id?: string;
  reply_to_message?: TgMessage;
  reply_markup?: unknown;
  /** The thread (a forum topic, or a reply thread in a supergroup) the message belongs to. */
  message_thread_id?: number;
  /** True only for a message sent into a forum topic (General excluded). */
  is_topic_message?: boolean;
  forum_topic_created?: { name: string; icon_color: number; icon_custom_emoji_id?: string };
  forum_topic_edited?: { name?: string; icon_custom_emoji_id?: string };
  forum_topic_closed?: Record<string, never>;
  forum_topic_reopened?: Record<string, never>;
  /** Service message in a group that became a supergroup: its new id. */
  migrate_to_chat_id?: number;
  migrate_from_chat_id?: number;
  contact?: TgContact;
}

/** A shared contact. `user_id` is set when the contact is a Telegram user (the sender's own via `request_contact`). */
export interface TgContact {
  phone_number: string;
  first_name: string;
  last_name?: string;
  user_id?: number;
  vcard?: string;
}

export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message?: TgMessage;
  chat_instance: string;
  data?: string;
}

export interface TgUpdate {
  update_id?: number;
  message?: TgMessage;
  edited_message?: TgMessage;
  callback_query?: TgCallbackQuery;
  [kind: string]: unknown;
}

/** An update as queued by the fake server: `update_id` is always set. */
export type QueuedUpdate = TgUpdate & { update_id: number };

/** Any answer of the Bot API, as a client reads it. */
export interface BotApiAnswer {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}
