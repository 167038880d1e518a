import { randomBytes } from 'node:crypto';
import type { UploadedFile } from './bot-api-body';
import { BotApiError, badRequest } from './bot-api-error';
import {
  checkReplyMarkup,
  isInlineKeyboard,
  optionalBool,
  optionalInt,
  optionalString,
  type Params,
  requireChatId,
  requireInt,
  synthesizeChat,
} from './bot-api-params';
import { nextMessageId } from './bot-updates';
import { describe, getFileResult, resolveInputFile } from './fake-bot-files';
import { checkNotMigrated, createForumHandlers, threadOfSend } from './fake-bot-forum';
import { type FakeBotState, type MediaType, messageKey } from './fake-bot-state';
import type { TgChat, TgMessage } from './telegram-types';

/** What an album (sendMediaGroup) may hold: photos and videos together, audio or documents only alone. */
const GROUP_TYPES = new Set(['photo', 'video', 'audio', 'document']);

export interface MethodContext {
  files: Record<string, UploadedFile>;
}

export type MethodHandler = (params: Params, context: MethodContext) => unknown;

/** Methods that put a message into a chat: counted by the per-chat clock. */
export const SEND_METHODS = new Set([
  'sendMessage',
  'sendPhoto',
  'sendDocument',
  'copyMessage',
  'copyMessages',
  'forwardMessage',
  'sendVideo',
  'sendAudio',
  'sendVoice',
  'sendAnimation',
  'sendSticker',
  'sendMediaGroup',
  'sendLocation',
  'sendContact',
  'sendPoll',
  'sendDice',
]);

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

const now = () => Math.floor(Date.now() / 1000);

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
};

/** What a copy of a message carries: its content, without who sent it where and when. */
function copiedContent(source: TgMessage): Partial<TgMessage> {
  const {
    message_id: _id,
    from: _from,
    chat: _chat,
    date: _date,
    reply_to_message: _reply,
    reply_markup: _markup,
    message_thread_id: _thread,
    is_topic_message: _inTopic,
    edit_date: _edited,
    ...content
  } = source;
  return content;
}
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function createMethodHandlers(state: FakeBotState): Record<string, MethodHandler> {
  const chatOf = (chatId: number | string): TgChat => state.chats.get(chatId) ?? synthesizeChat(chatId);

  const replyTarget = (params: Params, chatId: number | string): TgMessage | undefined => {
    const nested = params.reply_parameters as { message_id?: unknown } | undefined;
    const id =
      optionalInt(params, 'reply_to_message_id') ??
      (typeof nested?.message_id === 'number' ? nested.message_id : undefined);
    return id === undefined ? undefined : state.messages.get(messageKey(chatId, id));
  };

  /** A message from the bot into `chat_id`, stored so it can later be edited, replied to or copied. */
  const post = (params: Params, content: Partial<TgMessage>): TgMessage => {
    const chatId = requireChatId(params);
    checkReplyMarkup(params.reply_markup);
    if (state.blocked.has(chatId)) throw new BotApiError(403, 'Forbidden: bot was blocked by the user');
    const thread = threadOfSend(state, params, chatId);
    const message: TgMessage = {
      message_id: nextMessageId(),
      from: state.botInfo,
      chat: chatOf(chatId),
      date: now(),
      ...content,
      ...thread,
    };
    const replyTo = replyTarget(params, chatId);
    if (replyTo) message.reply_to_message = replyTo;
    if (isInlineKeyboard(params.reply_markup)) message.reply_markup = params.reply_markup;
    state.messages.set(messageKey(chatId, message.message_id), message);
    return message;
  };

  const caption = (params: Record<string, unknown>): Partial<TgMessage> => {
    const text = optionalString(params, 'caption');
    if (text !== undefined && text.length > 1024) throw badRequest('message caption is too long');
    return text === undefined ? {} : { caption: text };
  };

  /** sendPhoto, sendDocument, sendVoice, ...: an upload, a known file_id or a URL, with an optional caption. */
  const sendFile =
    (type: MediaType): MethodHandler =>
    (params, context) => {
      requireChatId(params);
      const file = resolveInputFile(state.files, type, params[type], context.files, type);
      return post(params, { ...describe(file), ...caption(params) });
    };

  /** The message a method edits, checked the way Telegram checks it. */
  const editable = (params: Params): TgMessage | true => {
    if (optionalString(params, 'inline_message_id')) return true;
    const chatId = requireChatId(params);
    const messageId = requireInt(params, 'message_id', 'message identifier is not specified');
    const message = state.messages.get(messageKey(chatId, messageId));
    if (!message) throw badRequest('message to edit not found');
    if (message.from?.id !== state.botInfo.id) throw badRequest("message can't be edited");
    checkReplyMarkup(params.reply_markup);
    return message;
  };

  const store = (message: TgMessage): TgMessage => {
    state.messages.set(messageKey(message.chat.id, message.message_id), message);
    return message;
  };

  const stored = (kind: string) => (params: Params) => {
    state.texts.set(
      `${kind}|${optionalString(params, 'language_code') ?? ''}`,
      optionalString(params, kind) ?? '',
    );
    return true;
  };
  const read = (kind: string) => (params: Params) => ({
    [kind]: state.texts.get(`${kind}|${optionalString(params, 'language_code') ?? ''}`) ?? '',
  });
  const commandsKey = (params: Params) =>
    `${JSON.stringify(params.scope ?? { type: 'default' })}|${optionalString(params, 'language_code') ?? ''}`;

  const handlers: Record<string, MethodHandler> = {
    ...createForumHandlers(state),
    getMe: () => state.botInfo,
    logOut: () => true,
    close: () => true,

    setMyCommands: (params) => {
      const commands = params.commands;
      if (!Array.isArray(commands)) throw badRequest('parameter "commands" is required');
      for (const entry of commands as Array<{ command?: unknown; description?: unknown }>) {
        const command = typeof entry.command === 'string' ? entry.command : '';
        const description = typeof entry.description === 'string' ? entry.description : '';
        if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest('BOT_COMMAND_INVALID');
        if (description.length < 1 || description.length > 256)
          throw badRequest('command description is invalid');
      }
      state.commands.set(commandsKey(params), commands);
      return true;
    },
    getMyCommands: (params) => state.commands.get(commandsKey(params)) ?? [],
    deleteMyCommands: (params) => state.commands.delete(commandsKey(params)) || true,
    setMyDescription: stored('description'),
    getMyDescription: read('description'),
    setMyShortDescription: stored('short_description'),
    getMyShortDescription: read('short_description'),
    setMyName: stored('name'),
    getMyName: read('name'),
    setChatMenuButton: (params) => {
      const chatId = optionalString(params, 'chat_id') ?? 'default';
      state.menuButtons.set(chatId, params.menu_button ?? { type: 'default' });
      return true;
    },
    getChatMenuButton: (params) =>
      state.menuButtons.get(optionalString(params, 'chat_id') ?? 'default') ?? { type: 'commands' },

    setWebhook: (params) => {
      const url = optionalString(params, 'url') ?? '';
      const secret = optionalString(params, 'secret_token');
      if (optionalBool(params, 'drop_pending_updates')) state.queue.length = 0;
      if (url === '') {
        state.webhook = undefined;
        return true;
      }
      if (!url.startsWith('https://') && !(state.allowHttpWebhook && url.startsWith('http://')))
        throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
      if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
        throw badRequest('secret token contains unallowed characters');
      }
      state.webhook = {
        url,
        ...(secret === undefined ? {} : { secretToken: secret }),
        ...(optionalInt(params, 'max_connections') === undefined
          ? {}
          : { maxConnections: optionalInt(params, 'max_connections') }),
        ...(Array.isArray(params.allowed_updates)
          ? { allowedUpdates: params.allowed_updates as string[] }
          : {}),
        setAt: Date.now(),
      };
      return true;
    },
    deleteWebhook: (params) => {
      if (optionalBool(params, 'drop_pending_updates')) state.queue.length = 0;
      state.webhook = undefined;
      return true;
    },
    getWebhookInfo: () => {
      const info: Record<string, unknown> = {
        url: state.webhook?.url ?? '',
        has_custom_certificate: false,
        pending_update_count: state.queue.length,
      };
      if (state.webhook?.maxConnections !== undefined) info.max_connections = state.webhook.maxConnections;
      if (state.webhook?.allowedUpdates) info.allowed_updates = state.webhook.allowedUpdates;
      return info;
    },

    sendMessage: (params) => {
      const text = optionalString(params, 'text') ?? '';
      if (text.trim() === '') throw badRequest('message text is empty');
      if (text.length > 4096) throw badRequest('message is too long');
      return post(params, { text });
    },
    sendPhoto: sendFile('photo'),
    sendDocument: sendFile('document'),
    sendVoice: sendFile('voice'),
    sendAudio: sendFile('audio'),
    sendVideo: sendFile('video'),
    sendVideoNote: sendFile('video_note'),
    sendAnimation: sendFile('animation'),
    sendSticker: sendFile('sticker'),
    sendMediaGroup: (params, context) => {
      requireChatId(params);
      const media = params.media;
      if (media === undefined) throw badRequest('parameter "media" is required');
      if (!Array.isArray(media)) throw badRequest('expected an Array of InputMedia');
      if (media.length < 2 || media.length > 10) throw badRequest('wrong number of media: 2-10 allowed');
      const items = (media as Array<Record<string, unknown>>).map((item) => {
        const type = item?.type;
        if (typeof type !== 'string' || !GROUP_TYPES.has(type))
          throw badRequest("can't parse InputMedia: unsupported media type");
        const file = resolveInputFile(state.files, type as MediaType, item.media, context.files);
        return { type, file, caption: caption(item) };
      });
      const types = new Set(items.map((i) => i.type));
      for (const alone of ['audio', 'document']) {
        if (types.has(alone) && types.size > 1)
          throw badRequest(`${alone} can't be mixed with other media types`);
      }
      const groupId = String(BigInt(`0x${randomBytes(7).toString('hex')}`));
      return items.map((item) =>
        post(params, { ...describe(item.file), ...item.caption, media_group_id: groupId }),
      );
    },
    copyMessage: (params) => {
      const fromChatId = requireChatId(params, 'from_chat_id');
      const messageId = requireInt(params, 'message_id', 'message identifier is not specified');
      const source = state.messages.get(messageKey(fromChatId, messageId));
      if (!source) throw badRequest('message to copy not found');
      const captionOverride = optionalString(params, 'caption');
      // One message copied alone stands alone, even when it was an album's item.
      const { media_group_id: _group, ...content } = copiedContent(source);
      const copy = post(
        params,
        captionOverride === undefined ? content : { ...content, caption: captionOverride },
      );
      return { message_id: copy.message_id };
    },
    /**
     * copyMessages as Telegram documents it: 1-100 message_ids in strictly increasing order; those that cannot
     * be found are skipped; album grouping is kept (copies of one album share a new media_group_id);
     * `remove_caption` drops the captions; the answer is an array of MessageId.
     */
    copyMessages: (params) => {
      const fromChatId = requireChatId(params, 'from_chat_id');
      requireChatId(params);
      const raw = typeof params.message_ids === 'string' ? safeJson(params.message_ids) : params.message_ids;
      if (raw === undefined) throw badRequest('parameter "message_ids" is required');
      if (!Array.isArray(raw) || raw.some((id) => !Number.isInteger(id)))
        throw badRequest("can't parse message identifiers JSON object");
      const ids = raw as number[];
      if (ids.length === 0) throw badRequest('message identifiers are not specified');
      if (ids.length > 100) throw badRequest('too many messages to copy');
      if (ids.some((id, i) => i > 0 && id <= (ids[i - 1] as number)))
        throw badRequest('message identifiers must be in a strictly increasing order');
      const sources = ids.flatMap((id) => state.messages.get(messageKey(fromChatId, id)) ?? []);
      if (sources.length === 0) throw badRequest('message to copy not found');
      const removeCaption = optionalBool(params, 'remove_caption');
      const groups = new Map<string, string>();
      return sources.map((source) => {
        const { caption: _caption, media_group_id: group, ...rest } = copiedContent(source);
        const content: Partial<TgMessage> = removeCaption ? rest : copiedContent(source);
        if (group !== undefined) {
          if (!groups.has(group)) groups.set(group, String(BigInt(`0x${randomBytes(7).toString('hex')}`)));
          content.media_group_id = groups.get(group) as string;
        }
        return { message_id: post(params, content).message_id };
      });
    },
    editMessageText: (params) => {
      const text = optionalString(params, 'text') ?? '';
      if (text.trim() === '') throw badRequest('message text is empty');
      if (text.length > 4096) throw badRequest('message is too long');
      const message = editable(params);
      if (message === true) return true;
      if (message.text === undefined) throw badRequest('there is no text in the message to edit');
      const markup = isInlineKeyboard(params.reply_markup) ? params.reply_markup : undefined;
      if (message.text === text && sameJson(message.reply_markup, markup)) throw badRequest(NOT_MODIFIED);
      const { reply_markup: _old, ...rest } = message;
      return store({
        ...rest,
        text,
        edit_date: now(),
        ...(markup === undefined ? {} : { reply_markup: markup }),
      });
    },
    editMessageCaption: (params) => {
      const message = editable(params);
      if (message === true) return true;
      if (message.text !== undefined) throw badRequest('there is no caption in the message to edit');
      const edit = caption(params);
      const markup = isInlineKeyboard(params.reply_markup) ? params.reply_markup : undefined;
      if (message.caption === edit.caption && sameJson(message.reply_markup, markup))
        throw badRequest(NOT_MODIFIED);
      const { reply_markup: _old, caption: _caption, ...rest } = message;
      return store({
        ...rest,
        ...edit,
        edit_date: now(),
        ...(markup === undefined ? {} : { reply_markup: markup }),
      });
    },
    editMessageReplyMarkup: (params) => {
      const message = editable(params);
      if (message === true) return true;
      const markup = isInlineKeyboard(params.reply_markup) ? params.reply_markup : undefined;
      if (sameJson(message.reply_markup, markup)) throw badRequest(NOT_MODIFIED);
      const { reply_markup: _old, ...rest } = message;
      return store({ ...rest, edit_date: now(), ...(markup === undefined ? {} : { reply_markup: markup }) });
    },
    deleteMessage: (params) => {
      const chatId = requireChatId(params);
      const messageId = requireInt(params, 'message_id', 'message identifier is not specified');
      if (!state.messages.delete(messageKey(chatId, messageId)))
        throw badRequest('message to delete not found');
      return true;
    },
    answerCallbackQuery: (params) => {
      if (!optionalString(params, 'callback_query_id'))
        throw badRequest('query is too old and response timeout expired or query ID is invalid');
      const text = optionalString(params, 'text');
      if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
      return true;
    },
    sendChatAction: (params) => {
      requireChatId(params);
      if (!CHAT_ACTIONS.has(optionalString(params, 'action') ?? ''))
        throw badRequest('wrong parameter action in request');
      return true;
    },
    getChat: (params) => chatOf(requireChatId(params)),
    getFile: (params) => getFileResult(state.files, optionalString(params, 'file_id')),
  };
  // A group upgraded to a supergroup answers every call with its new id, as Telegram does.
  return Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      (params: Params, context: MethodContext) => {
        checkNotMigrated(state, params);
        return handler(params, context);
      },
    ]),
  );
}
