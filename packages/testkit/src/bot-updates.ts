import { randomBytes } from 'node:crypto';
import type {
  TgChat,
  TgContact,
  TgDocument,
  TgMediaFile,
  TgMessage,
  TgMessageEntity,
  TgPhotoSize,
  TgUpdate,
  TgUser,
} from './telegram-types';

let lastMessageId = 0;

/** Message ids are unique in the whole test process, whichever side (fake server or builder) made them. */
export function nextMessageId(): number {
  lastMessageId += 1;
  return lastMessageId;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const fileId = (prefix: string) => `${prefix}${randomBytes(16).toString('base64url')}`;

export interface UserInput {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_bot?: boolean;
}

/** A Telegram user; `first_name` defaults to `User<id>`. */
export function makeUser(input: UserInput): TgUser {
  return { is_bot: false, first_name: `User${input.id}`, ...input };
}

/** The private chat with a user, as Telegram describes it. */
export function privateChatOf(user: TgUser): TgChat {
  const chat: TgChat = { id: user.id, type: 'private', first_name: user.first_name };
  if (user.last_name !== undefined) chat.last_name = user.last_name;
  if (user.username !== undefined) chat.username = user.username;
  return chat;
}

/** `bot_command` entities for every `/command` or `/command@bot` in the text (offsets in UTF-16 units). */
export function commandEntities(text: string): TgMessageEntity[] {
  const entities: TgMessageEntity[] = [];
  for (const match of text.matchAll(/(^|\s)(\/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]+)?)/g)) {
    const command = match[2] ?? '';
    entities.push({
      type: 'bot_command',
      offset: (match.index ?? 0) + (match[1]?.length ?? 0),
      length: command.length,
    });
  }
  return entities;
}

interface MessageBase {
  from: UserInput | TgUser;
  /** Default: the private chat with `from`. */
  chat?: TgChat;
  /** The message this one replies to. */
  replyTo?: TgMessage;
  messageId?: number;
  /** Unix seconds; default now. */
  date?: number;
  updateId?: number;
  /** The forum topic (or reply thread) the message is in: `message_thread_id`. */
  threadId?: number;
  /** `is_topic_message` (default: true when `threadId` is given): false for a reply thread or General. */
  topicMessage?: boolean;
}

function baseMessage(input: MessageBase): TgMessage {
  const from = makeUser(input.from);
  const message: TgMessage = {
    message_id: input.messageId ?? nextMessageId(),
    from,
    chat: input.chat ?? privateChatOf(from),
    date: input.date ?? nowSeconds(),
  };
  if (input.replyTo) message.reply_to_message = input.replyTo;
  if (input.threadId !== undefined) {
    message.message_thread_id = input.threadId;
    if (input.topicMessage ?? true) message.is_topic_message = true;
  }
  return message;
}

function withId(update: TgUpdate, updateId: number | undefined): TgUpdate {
  return updateId === undefined ? update : { update_id: updateId, ...update };
}

export interface TextUpdateInput extends MessageBase {
  text: string;
}

/** A `message` update with text; `/commands` get their `bot_command` entities. */
export function makeTextUpdate(input: TextUpdateInput): TgUpdate {
  const message = { ...baseMessage(input), text: input.text };
  const entities = commandEntities(input.text);
  if (entities.length > 0) message.entities = entities;
  return withId({ message }, input.updateId);
}

export interface CallbackUpdateInput {
  from: UserInput | TgUser;
  data: string;
  /** The (bot's) message carrying the inline keyboard that was pressed. */
  message: TgMessage;
  updateId?: number;
}

/** A `callback_query` update as sent when a user presses an inline button. */
export function makeCallbackUpdate(input: CallbackUpdateInput): TgUpdate {
  return withId(
    {
      callback_query: {
        id: String(BigInt(`0x${randomBytes(8).toString('hex')}`) >> 1n),
        from: makeUser(input.from),
        message: input.message,
        chat_instance: String(-Math.abs(input.message.chat.id * 7919)),
        data: input.data,
      },
    },
    input.updateId,
  );
}

export interface PhotoUpdateInput extends MessageBase {
  caption?: string;
  /** Messages of one album share it. */
  mediaGroupId?: string;
}

/** A photo message: three sizes like Telegram sends (the largest last). */
export function makePhotoUpdate(input: PhotoUpdateInput): TgUpdate {
  const unique = randomBytes(6).toString('base64url');
  const photo: TgPhotoSize[] = [
    [90, 67, 1200],
    [320, 240, 15800],
    [1280, 960, 98000],
  ].map(([width = 0, height = 0, size = 0], i) => ({
    file_id: fileId('AgACAgIAAxkBAAI'),
    file_unique_id: `AQAD${unique}${i}`,
    width,
    height,
    file_size: size,
  }));
  const message: TgMessage = { ...baseMessage(input), photo };
  if (input.caption !== undefined) message.caption = input.caption;
  if (input.mediaGroupId !== undefined) message.media_group_id = input.mediaGroupId;
  return withId({ message }, input.updateId);
}

export interface DocumentUpdateInput extends MessageBase {
  fileName?: string;
  mimeType?: string;
  fileSize?: number;
  caption?: string;
}

/** A document (file) message. */
export function makeDocumentUpdate(input: DocumentUpdateInput): TgUpdate {
  const document: TgDocument = {
    file_id: fileId('BQACAgIAAxkBAAI'),
    file_unique_id: `AgAD${randomBytes(6).toString('base64url')}`,
    file_name: input.fileName ?? 'report.pdf',
    mime_type: input.mimeType ?? 'application/pdf',
    file_size: input.fileSize ?? 24_576,
  };
  const message: TgMessage = { ...baseMessage(input), document };
  if (input.caption !== undefined) message.caption = input.caption;
  return withId({ message }, input.updateId);
}

export interface EditedMessageUpdateInput {
  /** The message as first sent (e.g. `makeTextUpdate(...).message`). */
  original: TgMessage;
  text: string;
  /** Unix seconds; default now. */
  editDate?: number;
  updateId?: number;
}

/** An `edited_message` update: same message id and date, new text, `edit_date` set. */
export function makeEditedMessageUpdate(input: EditedMessageUpdateInput): TgUpdate {
  const { reply_markup: _markup, ...original } = input.original;
  const edited: TgMessage = {
    ...original,
    edit_date: input.editDate ?? Math.max(nowSeconds(), original.date),
  };
  if (original.photo || original.document) edited.caption = input.text;
  else {
    edited.text = input.text;
    const entities = commandEntities(input.text);
    if (entities.length > 0) edited.entities = entities;
    else delete edited.entities;
  }
  return withId({ edited_message: edited }, input.updateId);
}

export type MediaUpdateKind = 'voice' | 'audio' | 'video' | 'video_note' | 'animation' | 'sticker';

export interface MediaUpdateInput extends MessageBase {
  kind: MediaUpdateKind;
  caption?: string;
  fileSize?: number;
  fileName?: string;
  mimeType?: string;
  /** Messages of one album share it. */
  mediaGroupId?: string;
}

const mediaDefaults: Record<MediaUpdateKind, Omit<TgMediaFile, 'file_id' | 'file_unique_id'>> = {
  voice: { duration: 3, mime_type: 'audio/ogg', file_size: 9_800 },
  audio: { duration: 181, file_name: 'song.mp3', mime_type: 'audio/mpeg', file_size: 3_400_000 },
  video: { duration: 12, width: 1280, height: 720, mime_type: 'video/mp4', file_size: 2_100_000 },
  video_note: { duration: 8, length: 384, file_size: 640_000 },
  animation: { duration: 2, width: 320, height: 240, mime_type: 'video/mp4', file_size: 120_000 },
  sticker: { type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: '👍' },
};

/** A voice, audio, video, video note, animation (GIF) or sticker message as Telegram delivers it. */
export function makeMediaUpdate(input: MediaUpdateInput): TgUpdate {
  const media: TgMediaFile = {
    file_id: fileId('AwACAgIAAxkBAAI'),
    file_unique_id: `AgAD${randomBytes(6).toString('base64url')}`,
    ...mediaDefaults[input.kind],
  };
  if (input.fileSize !== undefined) media.file_size = input.fileSize;
  if (input.fileName !== undefined) media.file_name = input.fileName;
  if (input.mimeType !== undefined) media.mime_type = input.mimeType;
  const message: TgMessage = { ...baseMessage(input), [input.kind]: media };
  if (input.caption !== undefined) message.caption = input.caption;
  if (input.mediaGroupId !== undefined) message.media_group_id = input.mediaGroupId;
  return withId({ message }, input.updateId);
}

export interface ServiceUpdateInput extends MessageBase {
  /** The service fields, e.g. `{ forum_topic_created: {...} }` or `{ migrate_to_chat_id: -100... }`. */
  content: Partial<TgMessage>;
}

/** A service message (a topic created or closed, a group migrated) as a `message` update. */
export function makeServiceUpdate(input: ServiceUpdateInput): TgUpdate {
  return withId({ message: { ...baseMessage(input), ...input.content } }, input.updateId);
}

export interface ContactUpdateInput extends MessageBase {
  contact: TgContact;
}

/**
 * A `message` update carrying a contact. What the `request_contact` button sends is the sender's own contact
 * (`user_id` = `from.id`); a forwarded card or someone else's has another `user_id`, or none.
 */
export function makeContactUpdate(input: ContactUpdateInput): TgUpdate {
  return withId({ message: { ...baseMessage(input), contact: input.contact } }, input.updateId);
}
