import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BodyEncoding, paramsFromSearch, parseBotApiBody, type UploadedFile } from './bot-api-body';
import { BotApiError, defaultErrorDescription } from './bot-api-error';
import { optionalInt, type Params } from './bot-api-params';
import { nextMessageId } from './bot-updates';
import { dropTopic, FORUM_ICON_COLORS, type MakeForumOptions, makeForum } from './fake-bot-forum';
import { createMethodHandlers, type MethodHandler, SEND_METHODS } from './fake-bot-methods';
import {
  admitUpdate,
  type BotInfo,
  createState,
  type ForumTopicState,
  type KnownFile,
  type MediaType,
  messageKey,
  type WebhookState,
} from './fake-bot-state';
import { TEST_BOT_TOKEN } from './init-data';
import type { QueuedUpdate, TgMessage, TgUpdate } from './telegram-types';

export interface BotApiCall {
  method: string;
  params: Params;
  /** Date.now() when the request arrived. */
  at: number;
  encoding: BodyEncoding;
  /** Files uploaded with multipart/form-data (name, type, size; the bytes are not kept). */
  files: Record<string, UploadedFile>;
  /** `http`, or `webhook-reply` for a method the bot returned in its webhook response. */
  via: 'http' | 'webhook-reply';
  /** Set once answered: whether the answer was `ok: true`, and its result or error code. */
  ok?: boolean;
  result?: unknown;
  errorCode?: number;
}

export interface FailOptions {
  /** Default 429. */
  errorCode?: number;
  /** Seconds; for 429 defaults to 1 and is sent as `parameters.retry_after`. */
  retryAfter?: number;
  description?: string;
}

export interface DownOptions {
  /** `reset` (default): connections are reset; `bad-gateway`: nginx-style HTML 502. */
  mode?: 'reset' | 'bad-gateway';
  /** Come back up by itself after this many milliseconds. */
  forMs?: number;
}

export interface DeliverOptions {
  /** Default: the URL the bot registered with setWebhook. */
  url?: string;
  /** Default: the secret_token the bot registered; `null` sends no header. */
  secret?: string | null;
}

export interface StartFakeBotApiOptions {
  /** Default TEST_BOT_TOKEN. */
  token?: string;
  botInfo?: Partial<BotInfo>;
  /** Let setWebhook accept an `http://` URL, so deliverWebhook can default to a local bot. Default false. */
  allowHttpWebhook?: boolean;
}

export interface FakeBotApi {
  readonly token: string;
  /** `http://127.0.0.1:PORT`: telegraf's `telegram.apiRoot` / TELEGRAM_API_ROOT. */
  readonly apiRoot: string;
  readonly port: number;
  readonly botInfo: BotInfo;
  /** Every call in arrival order. */
  readonly calls: readonly BotApiCall[];
  callsOf(method: string): BotApiCall[];
  /** First call (already made or future) of `method` matching `predicate`; rejects after `timeoutMs` (5000). */
  waitForCall(
    method: string,
    predicate?: (call: BotApiCall) => boolean,
    timeoutMs?: number,
  ): Promise<BotApiCall>;
  /** Messages the bot sent (sendMessage, sendPhoto, ...), optionally in one chat; copies answer only ids. */
  sentMessages(chatId?: number | string): TgMessage[];
  /** A message as the fake holds it now (sent, copied, edited, or from an update). */
  message(chatId: number | string, messageId: number): TgMessage | undefined;
  /** Queues an update for getUpdates, giving it the next update_id when it has none. */
  pushUpdate(update: TgUpdate): QueuedUpdate;
  /** Updates queued and not yet confirmed by a getUpdates offset. */
  pendingUpdates(): QueuedUpdate[];
  /** POSTs the update to a webhook as Telegram does; resolves with the HTTP status. */
  deliverWebhook(update: TgUpdate, options?: DeliverOptions): Promise<number>;
  readonly webhook: WebhookState | undefined;
  /** The next `count` calls of `method` (`*` = any) fail with the given error. */
  failNext(method: string, count?: number, options?: FailOptions): void;
  /** Simulates Telegram being unreachable until `setDown(false)` (or `forMs`). */
  setDown(down: boolean, options?: DownOptions): void;
  /** Successful sends per chat id: the `at` timestamps (ms), oldest first. */
  sentMessagesPerChat(): Map<number | string, number[]>;
  /** Most sends seen inside any window of `windowMs`, in one chat or across all. */
  maxSendsInWindow(windowMs: number, chatId?: number | string): number;
  /** Overrides (or adds) the answer of a method; return the result or throw a BotApiError. */
  respond(method: string, handler: MethodHandler): void;
  /**
   * Makes `fileId` a file Telegram holds (a document unless `type` says otherwise): getFile names `path`,
   * /file/ serves `content`; `size` (default the content's length) over 20 MB makes getFile refuse it.
   */
  putFile(
    fileId: string,
    file: { path: string; content: Buffer; type?: MediaType; size?: number; meta?: KnownFile['meta'] },
  ): void;
  /** The file Telegram holds under `fileId` (uploaded by the bot, seen in an update, or put). */
  file(fileId: string): KnownFile | undefined;
  /** The user of this private chat blocks the bot (`false`: unblocks): sends there answer 403. */
  blockChat(chatId: number, blocked?: boolean): void;
  /** Makes `chatId` a forum supergroup (getChat: `is_forum: true`) where the bot is an admin with these rights. */
  makeForum(chatId: number, options?: MakeForumOptions): void;
  /** The topics of a forum as they stand (deleted ones gone). */
  forumTopics(chatId: number): ForumTopicState[];
  /** Messages in a topic (sent by the bot, copied, or pushed in updates), oldest first. */
  topicMessages(chatId: number, threadId: number): TgMessage[];
  /** A person opens a topic (not the bot's: managing it needs "Manage topics"); its thread id. */
  openTopicAsUser(chatId: number, name: string): number;
  /** A person deletes a topic with all its messages: sends there answer "message thread not found". */
  deleteTopicAsUser(chatId: number, threadId: number): void;
  /** The group `fromChatId` became the supergroup `toChatId`: calls to the old id fail with migrate_to_chat_id. */
  migrateChat(fromChatId: number, toChatId: number): void;
  /** Forgets calls, queued updates, faults and messages; keeps bot info, commands and webhook. */
  reset(): void;
  close(): Promise<void>;
}

interface Poll {
  wake: (outcome: 'updates' | 'terminated' | 'closed') => void;
}

interface CallWaiter {
  method: string;
  predicate: (call: BotApiCall) => boolean;
  resolve: (call: BotApiCall) => void;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendBadGateway(res: ServerResponse): void {
  const html =
    '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n</body>\r\n</html>\r\n';
  res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

/** Starts a Bot API double on 127.0.0.1 speaking `/bot<token>/<method>` like api.telegram.org. */
export async function startFakeBotApi(options: StartFakeBotApiOptions = {}): Promise<FakeBotApi> {
  const token = options.token ?? TEST_BOT_TOKEN;
  const state = createState(token, options.botInfo, options.allowHttpWebhook);
  const builtIn = createMethodHandlers(state);
  const overrides = new Map<string, MethodHandler>();
  const canonical = new Map<string, string>(Object.keys(builtIn).map((name) => [name.toLowerCase(), name]));
  canonical.set('getupdates', 'getUpdates');

  const calls: BotApiCall[] = [];
  const waiters = new Set<CallWaiter>();
  const faults = new Map<string, Array<Required<Pick<FailOptions, 'errorCode'>> & FailOptions>>();
  const sendTimes = new Map<number | string, number[]>();
  let down: Required<Pick<DownOptions, 'mode'>> | undefined;
  let downTimer: NodeJS.Timeout | undefined;
  let poll: Poll | undefined;

  const record = (call: BotApiCall) => {
    calls.push(call);
    for (const waiter of waiters) {
      if (waiter.method === call.method && waiter.predicate(call)) {
        waiters.delete(waiter);
        waiter.resolve(call);
      }
    }
  };

  const takeFault = (method: string): BotApiError | undefined => {
    for (const key of [method, '*']) {
      const queue = faults.get(key);
      const fault = queue?.shift();
      if (!fault) continue;
      const retryAfter = fault.retryAfter ?? (fault.errorCode === 429 ? 1 : undefined);
      return new BotApiError(
        fault.errorCode,
        fault.description ?? defaultErrorDescription(fault.errorCode, retryAfter ?? 0),
        retryAfter === undefined ? undefined : { retry_after: retryAfter },
      );
    }
    return undefined;
  };

  const countSend = (call: BotApiCall) => {
    const chatId = call.params.chat_id;
    if (!SEND_METHODS.has(call.method) || (typeof chatId !== 'number' && typeof chatId !== 'string')) return;
    const times = sendTimes.get(chatId) ?? [];
    times.push(call.at);
    sendTimes.set(chatId, times);
  };

  /** Runs a method (not getUpdates) and completes the call record. */
  const execute = (call: BotApiCall): { status: number; body: unknown } => {
    const handler = overrides.get(call.method) ?? builtIn[call.method];
    try {
      const fault = takeFault(call.method);
      if (fault) throw fault;
      if (!handler) throw new BotApiError(404, 'Not Found: method not found');
      const result = handler(call.params, { files: call.files });
      call.ok = true;
      call.result = result;
      countSend(call);
      return { status: 200, body: { ok: true, result } };
    } catch (error) {
      const apiError = error instanceof BotApiError ? error : new BotApiError(500, 'Internal Server Error');
      call.ok = false;
      call.errorCode = apiError.errorCode;
      return { status: apiError.errorCode, body: apiError.toJSON() };
    }
  };

  const confirm = (offset: number) => {
    if (offset > 0) state.queue = state.queue.filter((u) => u.update_id >= offset);
    else if (offset < 0) state.queue = state.queue.slice(offset);
  };

  const getUpdates = async (
    call: BotApiCall,
    res: ServerResponse,
  ): Promise<{ status: number; body: unknown }> => {
    const fault = takeFault('getUpdates');
    if (fault) return { status: fault.errorCode, body: fault.toJSON() };
    if (state.webhook) {
      const error = new BotApiError(
        409,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
      return { status: 409, body: error.toJSON() };
    }
    let offset: number;
    let limit: number;
    let timeout: number;
    try {
      offset = optionalInt(call.params, 'offset') ?? 0;
      limit = Math.min(100, Math.max(1, optionalInt(call.params, 'limit') ?? 100));
      timeout = Math.max(0, optionalInt(call.params, 'timeout') ?? 0);
    } catch (error) {
      const apiError = error as BotApiError;
      return { status: 400, body: apiError.toJSON() };
    }
    confirm(offset);
    poll?.wake('terminated');
    poll = undefined;
    if (state.queue.length === 0 && timeout > 0) {
      const outcome = await new Promise<'updates' | 'terminated' | 'closed' | 'timeout'>((resolve) => {
        const timer = setTimeout(() => finish('timeout'), timeout * 1000);
        const mine: Poll = { wake: (o) => finish(o) };
        const onClose = () => finish('closed');
        function finish(o: 'updates' | 'terminated' | 'closed' | 'timeout') {
          clearTimeout(timer);
          res.off('close', onClose);
          if (poll === mine) poll = undefined;
          resolve(o);
        }
        res.on('close', onClose);
        poll = mine;
      });
      if (outcome === 'terminated') {
        return { status: 409, body: new BotApiError(409, defaultErrorDescription(409, 0)).toJSON() };
      }
    }
    const result = state.queue.slice(0, limit);
    return { status: 200, body: { ok: true, result } };
  };

  const handleMethod = async (req: IncomingMessage, res: ServerResponse, rawMethod: string, url: URL) => {
    const parsed = await parseBotApiBody(req).catch(() => undefined);
    if (!parsed) {
      send(res, 400, new BotApiError(400, "Bad Request: can't parse request body").toJSON());
      return;
    }
    const method = canonical.get(rawMethod.toLowerCase()) ?? rawMethod;
    const call: BotApiCall = {
      method,
      params: { ...paramsFromSearch(url.searchParams), ...parsed.params },
      at: Date.now(),
      encoding: parsed.encoding,
      files: parsed.files,
      via: 'http',
    };
    record(call);
    const answer = method === 'getUpdates' ? await getUpdates(call, res) : execute(call);
    if (method === 'getUpdates') {
      const body = answer.body as { ok: boolean; result?: unknown; error_code?: number };
      call.ok = body.ok;
      if (body.ok) call.result = body.result;
      else call.errorCode = body.error_code;
    }
    if (down) {
      // Went down while the call was pending: the outage decides the answer.
      if (down.mode === 'bad-gateway') sendBadGateway(res);
      else res.socket?.resetAndDestroy();
      return;
    }
    send(res, answer.status, answer.body);
  };

  const server = http.createServer((req, res) => {
    if (down) {
      if (down.mode === 'reset') req.socket.resetAndDestroy();
      else sendBadGateway(res);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/(file\/)?bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (!match) {
      send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const [, filePrefix, pathToken, rest = ''] = match;
    if (pathToken !== token) {
      send(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    if (filePrefix) {
      const path = decodeURIComponent(rest);
      const known = [...state.files.values()].find((f) => f.file_path === path);
      if (!known) send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      else {
        const body = known.content ?? Buffer.alloc(Math.min(1024, known.file_size), 7);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
        res.end(body);
      }
      return;
    }
    handleMethod(req, res, decodeURIComponent(rest), url).catch(() =>
      send(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' }),
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const goDown = (mode: 'reset' | 'bad-gateway') => {
    down = { mode };
    poll?.wake('closed');
    if (mode === 'reset') server.closeAllConnections();
  };

  const api: FakeBotApi = {
    token,
    apiRoot: `http://127.0.0.1:${port}`,
    port,
    botInfo: state.botInfo,
    calls,
    callsOf: (method) => calls.filter((call) => call.method === method),
    waitForCall(method, predicate = () => true, timeoutMs = 5000) {
      const found = calls.find((call) => call.method === method && predicate(call));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = calls.map((c) => c.method).join(', ') || 'none';
          reject(
            new Error(`fake Bot API: no matching ${method} call within ${timeoutMs} ms (calls: ${seen})`),
          );
        }, timeoutMs);
        const waiter: CallWaiter = {
          method,
          predicate,
          resolve: (call) => {
            clearTimeout(timer);
            resolve(call);
          },
        };
        waiters.add(waiter);
      });
    },
    sentMessages(chatId) {
      return calls
        .filter((c) => c.ok && SEND_METHODS.has(c.method) && !c.method.startsWith('copyMessage'))
        .flatMap((c) => (Array.isArray(c.result) ? (c.result as TgMessage[]) : [c.result as TgMessage]))
        .filter((m) => chatId === undefined || m.chat.id === chatId);
    },
    message(chatId, messageId) {
      return state.messages.get(messageKey(chatId, messageId));
    },
    pushUpdate(update) {
      const queued = admitUpdate(state, update);
      state.queue.push(queued);
      poll?.wake('updates');
      return queued;
    },
    pendingUpdates: () => [...state.queue],
    async deliverWebhook(update, deliver = {}) {
      const url = deliver.url ?? state.webhook?.url;
      if (!url) throw new Error('deliverWebhook: no url given and no webhook registered');
      const secret = deliver.secret === undefined ? state.webhook?.secretToken : deliver.secret;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (secret !== undefined && secret !== null) headers['x-telegram-bot-api-secret-token'] = secret;
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify(admitUpdate(state, update)),
      });
      const text = await response.text();
      if (response.ok && (response.headers.get('content-type') ?? '').includes('json')) {
        const reply = JSON.parse(text) as Params;
        if (typeof reply.method === 'string') {
          const { method, ...params } = reply;
          const call: BotApiCall = {
            method,
            params,
            at: Date.now(),
            encoding: 'json',
            files: {},
            via: 'webhook-reply',
          };
          record(call);
          execute(call);
        }
      }
      return response.status;
    },
    get webhook() {
      return state.webhook;
    },
    failNext(method, count = 1, fail = {}) {
      const queue = faults.get(method) ?? [];
      for (let i = 0; i < count; i += 1) queue.push({ ...fail, errorCode: fail.errorCode ?? 429 });
      faults.set(method, queue);
    },
    setDown(isDown, downOptions = {}) {
      clearTimeout(downTimer);
      downTimer = undefined;
      if (!isDown) {
        down = undefined;
        return;
      }
      goDown(downOptions.mode ?? 'reset');
      if (downOptions.forMs !== undefined) {
        downTimer = setTimeout(() => {
          down = undefined;
        }, downOptions.forMs);
      }
    },
    sentMessagesPerChat: () => new Map([...sendTimes].map(([chat, times]) => [chat, [...times]])),
    maxSendsInWindow(windowMs, chatId) {
      const times = (
        chatId === undefined ? [...sendTimes.values()].flat() : (sendTimes.get(chatId) ?? [])
      ).sort((a, b) => a - b);
      let best = 0;
      let start = 0;
      for (let end = 0; end < times.length; end += 1) {
        while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start += 1;
        best = Math.max(best, end - start + 1);
      }
      return best;
    },
    makeForum(chatId, forumOptions) {
      makeForum(state, chatId, forumOptions);
    },
    forumTopics: (chatId) => [...(state.forums.get(chatId)?.topics.values() ?? [])].map((t) => ({ ...t })),
    topicMessages: (chatId, threadId) =>
      [...state.messages.values()]
        .filter((m) => m.chat.id === chatId && m.message_thread_id === threadId)
        .sort((a, b) => a.message_id - b.message_id),
    openTopicAsUser(chatId, name) {
      const forum = state.forums.get(chatId);
      if (!forum) throw new Error(`chat ${chatId} is not a forum (makeForum first)`);
      const threadId = nextMessageId();
      forum.topics.set(threadId, {
        threadId,
        name,
        iconColor: FORUM_ICON_COLORS[0],
        closed: false,
        byBot: false,
      });
      return threadId;
    },
    deleteTopicAsUser(chatId, threadId) {
      if (!dropTopic(state, chatId, threadId)) throw new Error(`no topic ${threadId} in chat ${chatId}`);
    },
    migrateChat(fromChatId, toChatId) {
      state.migrated.set(fromChatId, toChatId);
      const old = state.chats.get(fromChatId);
      state.chats.set(toChatId, {
        id: toChatId,
        type: 'supergroup',
        title: old?.title ?? `Group ${toChatId}`,
      });
    },
    putFile(fileId, file) {
      state.files.set(fileId, {
        file_id: fileId,
        file_unique_id: `U${fileId.slice(-12)}`,
        file_path: file.path,
        file_size: file.size ?? file.content.length,
        content: file.content,
        type: file.type ?? 'document',
        meta: file.meta ?? {},
      });
    },
    file: (fileId) => state.files.get(fileId),
    blockChat(chatId, blocked = true) {
      if (blocked) state.blocked.add(chatId);
      else state.blocked.delete(chatId);
    },
    respond(method, handler) {
      overrides.set(method, handler);
      canonical.set(method.toLowerCase(), method);
    },
    reset() {
      calls.length = 0;
      state.queue = [];
      state.messages.clear();
      state.blocked.clear();
      faults.clear();
      sendTimes.clear();
      down = undefined;
    },
    close() {
      clearTimeout(downTimer);
      poll?.wake('closed');
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return api;
}
