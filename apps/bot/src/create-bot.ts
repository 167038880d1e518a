import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bus, RedisClient } from '@tikethet/bus';
import { createLogger, type Logger, readinessOf } from '@tikethet/config';
import { createBlobStore, createOutboxQueue, createUseCases, type DbClient, s3ConfigOf } from '@tikethet/db';
import { Telegraf } from 'telegraf';
import type { Update } from 'telegraf/types';
import { type BotEnv, webhookUrlOf } from './env';
import { createEventConsumer } from './events/consumer';
import { createAdminHandler, createHttpHandler } from './http/handler';
import { registerAlbums } from './inbound/albums';
import { createInboundBatcher } from './inbound/batch';
import { registerCallbacks } from './inbound/callbacks';
import { registerCommands } from './inbound/commands';
import { BotContext } from './inbound/context';
import { registerMessages } from './inbound/messages';
import { createUpdateProcessor, type UpdateOutcome, useTransaction } from './inbound/process-update';
import { createMetrics } from './metrics';
import { withAlbums } from './outbound/albums';
import { createFileSender, withFiles } from './outbound/files';
import { limitsFrom, type SendGate, SendLimiter } from './outbound/limiter';
import { createSharedLimiter } from './outbound/shared-limiter';
import { createOutboxWorker } from './outbound/worker';
import { createPoller, type Poller } from './polling';
import { callOf, registerMenuButton, registerProfile, registerWebhook, withRetry } from './registration';
import type { BotRuntime } from './runtime';
import { registerTopicMessages } from './topics/inbound';
import { detectAgentsMode, loadMigrations, recordMigration } from './topics/mode';
import { createTopicSender } from './topics/sender';

export interface BotDeps {
  env: BotEnv;
  db: DbClient;
  bus: Bus;
  logger?: Logger;
  /** Shares the outbound limits with the other instances of this bot (ARCHITECTURE §9); without it, per process. */
  redis?: RedisClient;
}

export interface Bot {
  /** Registers commands, description, menu button and webhook; starts polling (polling mode), the queue and the event consumer. */
  start(): Promise<void>;
  /** POST /telegram/webhook as a plain Node handler (for hosting the bot inside another server). */
  webhookHandler(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The public listener: /healthz, /readyz, /metrics and the webhook. */
  httpHandler(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * POST /telegram/admin/public-url with `Authorization: Bearer <BOT_ADMIN_SECRET>`, for a loopback-only
   * listener of its own (never the public one); absent without BOT_ADMIN_SECRET.
   */
  adminHandler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | undefined;
  /** A new public URL (a new tunnel): re-registers the menu button and the webhook, live. */
  reconfigure(publicUrl: string): Promise<void>;
  /** Runs one update as the webhook would (benchmarks, tests). */
  processUpdate(update: Update): Promise<UpdateOutcome>;
  stop(): Promise<void>;
}

/** The outbound limits: in Redis for every instance when there is one, else in this process. */
function sendGateOf(env: BotEnv, redis: RedisClient | undefined, logger: Logger): SendGate {
  const local = new SendLimiter(limitsFrom(env));
  if (!redis) return local;
  // Instances of one bot (one token) share a budget; other bots on the same Redis do not touch it.
  const botKey = createHash('sha256').update(env.TELEGRAM_BOT_TOKEN).digest('hex').slice(0, 16);
  return createSharedLimiter({
    redis,
    local,
    prefix: `tikethet:bot:${botKey}:send`,
    logger: logger.child({ part: 'limits' }),
  });
}

/** The Telegram bot: commands and the chat <-> ticket bridge in, notifications out through one queue. Never listens. */
export function createBot({ env, db, bus, logger = createLogger('bot'), redis }: BotDeps): Bot {
  const uc = createUseCases({ db: db.db, bus, logger: logger.child({ part: 'use-cases' }) });
  const metrics = createMetrics();
  const runtime: BotRuntime = {
    publicUrl: env.PUBLIC_URL,
    webhookUrl: webhookUrlOf(env, env.PUBLIC_URL),
    botUsername: undefined,
    agentsChatId: env.AGENTS_CHAT_ID,
    topicsChatId: undefined,
    migratedChats: new Map(),
    albumSettleMs: env.BOT_ALBUM_SETTLE_MS,
  };
  const telegraf = new Telegraf<BotContext>(env.TELEGRAM_BOT_TOKEN, {
    contextType: BotContext,
    telegram: { apiRoot: env.TELEGRAM_API_ROOT, webhookReply: false },
  });
  telegraf.catch((error) => {
    throw error;
  });
  const call = callOf(telegraf.telegram);
  const onMigrated = (fromChatId: number, toChatId: number) =>
    recordMigration({ uc, runtime, logger, call }, fromChatId, toChatId);
  const outcomes = new WeakMap<object, UpdateOutcome>();
  useTransaction(telegraf, uc, outcomes);
  registerAlbums(telegraf);
  registerTopicMessages(telegraf, runtime, onMigrated);
  registerCommands(telegraf, runtime);
  registerCallbacks(telegraf, runtime);
  registerMessages(telegraf, runtime);

  const callApi = telegraf.telegram.callApi.bind(telegraf.telegram) as unknown as (
    method: string,
    payload: Record<string, unknown>,
    options: { signal: AbortSignal },
  ) => Promise<unknown>;
  const worker = createOutboxWorker({
    store: createOutboxQueue(db.db),
    uc,
    limiter: sendGateOf(env, redis, logger),
    callApi: (method, payload, signal) => callApi(method, payload, { signal }),
    logger: logger.child({ part: 'outbox' }),
    metrics,
    maxAttempts: env.BOT_SEND_MAX_ATTEMPTS,
    retryBaseMs: env.BOT_RETRY_BASE_MS,
    pollIntervalMs: env.BOT_POLL_INTERVAL_MS,
    hooks: withAlbums(
      withFiles(
        createTopicSender({ uc, runtime, logger: logger.child({ part: 'topics' }), onMigrated }),
        createFileSender({ uc, blobs: createBlobStore({ db: db.db, s3: s3ConfigOf(env) }) }),
      ),
      uc,
    ),
  });
  const processOne = createUpdateProcessor({ bot: telegraf, uc, logger, metrics, outcomes });
  const processAlone = async (update: Update) => {
    const outcome = await processOne(update);
    if (outcome === 'processed') worker.wake();
    return outcome;
  };
  // Plain customer texts are written in batches (group commit); everything else one update at a time.
  const inbound = createInboundBatcher({
    uc,
    processOne: processAlone,
    metrics,
    logger: logger.child({ part: 'inbound' }),
  });
  const processUpdate = inbound.submit;
  const consumer = createEventConsumer({
    uc,
    bus,
    handlers: {
      uc,
      runtime,
      // The group as it is now (a group that became a supergroup has a new id).
      get agentsChatId() {
        return runtime.agentsChatId;
      },
    },
    logger: logger.child({ part: 'events' }),
    intervalMs: Math.max(1000, env.BOT_POLL_INTERVAL_MS * 3),
    onEnqueued: () => worker.wake(),
  });

  let poller: Poller | undefined;
  let stopping = false;
  let started = false;
  const background: Array<Promise<unknown>> = [];
  const secret = env.TELEGRAM_WEBHOOK_SECRET;

  const registerLinks = async () => {
    await registerMenuButton(call, runtime.publicUrl);
    if (env.BOT_MODE === 'webhook' && runtime.webhookUrl && secret) {
      await registerWebhook(call, runtime.webhookUrl, secret);
    }
  };

  async function reconfigure(publicUrl: string) {
    const previous = runtime.publicUrl;
    runtime.publicUrl = publicUrl.replace(/\/+$/, '');
    if (!env.TELEGRAM_WEBHOOK_URL || runtime.webhookUrl === webhookUrlOf({}, previous)) {
      runtime.webhookUrl = webhookUrlOf({}, runtime.publicUrl);
    }
    logger.info({ publicUrl: runtime.publicUrl, webhookUrl: runtime.webhookUrl }, 'public URL changed');
    await registerLinks();
  }

  const httpHandler = createHttpHandler({
    mode: env.BOT_MODE,
    secret,
    processUpdate,
    ready: async () =>
      stopping ? readinessOf(true) : readinessOf(false, { started, db: await db.ping(), bus: bus.healthy }),
    metrics,
    logger,
  });
  const adminHandler = env.BOT_ADMIN_SECRET
    ? createAdminHandler({ secret: env.BOT_ADMIN_SECRET, reconfigure, logger })
    : undefined;

  return {
    async start() {
      const stopped = () => stopping;
      await withRetry(
        async () => {
          const me = await telegraf.telegram.getMe();
          telegraf.botInfo = me;
          runtime.botUsername = me.username;
        },
        'getMe',
        logger,
        stopped,
      );
      await loadMigrations(uc, runtime);
      await withRetry(
        async () => {
          await detectAgentsMode(call, runtime, logger);
        },
        'agents chat mode',
        logger,
        stopped,
      );
      await worker.start();
      await consumer.start();
      const registration = withRetry(
        async () => {
          await registerProfile(call);
          await registerLinks();
          if (env.BOT_MODE === 'polling') await call('deleteWebhook', { drop_pending_updates: false });
        },
        'bot registration',
        logger,
        stopped,
      );
      if (env.BOT_MODE === 'polling') {
        await registration;
        poller = createPoller({
          telegram: telegraf.telegram,
          processUpdate,
          logger,
          timeoutS: env.BOT_GETUPDATES_TIMEOUT_S,
        });
        poller.start();
      } else {
        background.push(registration);
      }
      started = true;
      logger.info({ mode: env.BOT_MODE, username: runtime.botUsername }, 'bot started');
    },
    webhookHandler: httpHandler,
    httpHandler,
    adminHandler,
    reconfigure,
    processUpdate,
    async stop() {
      if (stopping) return;
      stopping = true;
      await poller?.stop();
      // Texts already accepted are written before the database goes away.
      await inbound.drained();
      await consumer.stop();
      await worker.stop();
      await Promise.allSettled(background);
      await uc.flush();
    },
  };
}
