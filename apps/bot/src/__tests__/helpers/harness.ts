import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Bus, createBus } from '@tikethet/bus';
import { createDb, createUseCases, type DbClient, runMigrations, type UseCases } from '@tikethet/db';
import {
  createTestDatabase,
  type FakeBotApi,
  startFakeBotApi,
  startTcpProxy,
  type TcpProxy,
  type TestDatabase,
  type TgMessage,
  type TgUpdate,
  testRedisUrl,
  waitFor,
} from '@tikethet/testkit';
import { Redis } from 'ioredis';
import { type Bot, createBot } from '../../create-bot';
import { type BotEnv, loadBotEnv } from '../../env';

export const PUBLIC_URL = 'https://miniapp.example';
export const SECRET = 'test-secret_123';

export interface Harness {
  mode: 'polling' | 'webhook';
  api: FakeBotApi;
  database: TestDatabase;
  db: DbClient;
  bus: Bus;
  uc: UseCases;
  bot: Bot;
  env: BotEnv;
  baseUrl: string;
  /** The bot's way to Postgres when started with `dbProxy` (cut it to make the database unreachable). */
  proxy: TcpProxy | undefined;
  /** Delivers an update the way the mode does (getUpdates queue or webhook POST); resolves when stored. */
  send(update: TgUpdate): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

let idCounter = 0;
/** A fresh Telegram user id (unique within the process). */
export function newUserId(): number {
  idCounter += 1;
  return 700_000_000 + Math.floor(Math.random() * 1000) * 1000 + idCounter;
}

export interface HarnessOptions {
  /** Give the bot a Redis client for its outbound limits (shared between instances). */
  redis?: boolean;
  /** The bot reaches Postgres through a TCP proxy (`harness.proxy`); the test's own queries do not. */
  dbProxy?: boolean;
  /** Sets up the fake Bot API before the bot starts (e.g. `api.makeForum(...)`). */
  beforeStart?: (api: FakeBotApi) => void;
}

export async function startHarness(
  mode: 'polling' | 'webhook',
  overrides: Record<string, string> = {},
  label = 'bot',
  options: HarnessOptions = {},
): Promise<Harness> {
  const database = await createTestDatabase(`${label}_${mode}`);
  await runMigrations(database.url);
  const api = await startFakeBotApi({ allowHttpWebhook: true });
  options.beforeStart?.(api);
  const db = createDb(database.url, { max: 20 });
  const proxy = options.dbProxy
    ? await startTcpProxy({
        target: { host: new URL(database.url).hostname, port: Number(new URL(database.url).port || 5432) },
      })
    : undefined;
  const botDb = proxy ? createDb(proxy.url(database.url), { max: 20 }) : db;
  const bus = createBus({ redisUrl: testRedisUrl(), channel: `tt-test:${database.name}` });
  const uc = createUseCases({ db: db.db, bus });
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = loadBotEnv({
    DATABASE_URL: proxy ? proxy.url(database.url) : database.url,
    TELEGRAM_BOT_TOKEN: api.token,
    TELEGRAM_API_ROOT: api.apiRoot,
    BOT_MODE: mode,
    PUBLIC_URL,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_WEBHOOK_URL: `${baseUrl}/telegram/webhook`,
    BOT_POLL_INTERVAL_MS: '100',
    BOT_RETRY_BASE_MS: '200',
    BOT_GETUPDATES_TIMEOUT_S: '1',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
  const redis = options.redis ? new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 }) : undefined;
  const bot = createBot({ env, db: botDb, bus, ...(redis ? { redis } : {}) });
  server.on('request', (req, res) => void bot.httpHandler(req, res));
  await bot.start();
  if (mode === 'webhook') await waitFor(() => api.webhook, { description: 'webhook registered' });
  const query = async <T>(sql: string, params: unknown[] = []) =>
    (await db.db.$client.query(sql, params)).rows as T[];
  return {
    mode,
    api,
    database,
    db,
    bus,
    uc,
    bot,
    env,
    baseUrl,
    proxy,
    query,
    async send(update) {
      if (mode === 'webhook') {
        const status = await api.deliverWebhook(update);
        if (status !== 200) throw new Error(`webhook answered ${status}`);
        return;
      }
      const queued = api.pushUpdate(update);
      await waitFor(
        async () =>
          (await query('select 1 from telegram_updates where update_id = $1', [queued.update_id])).length > 0,
        { description: `update ${queued.update_id} processed` },
      );
    },
    async close() {
      await bot.stop();
      await uc.flush();
      server.close();
      server.closeAllConnections();
      await api.close();
      await bus.close();
      redis?.disconnect();
      if (botDb !== db) await botDb.close();
      await proxy?.close();
      await db.close();
      await database.drop();
    },
  };
}

export type Keyboard = {
  inline_keyboard: Array<
    Array<{ text: string; web_app?: { url: string }; url?: string; callback_data?: string }>
  >;
};

export const markupOf = (m: TgMessage) => (m as unknown as { reply_markup?: Keyboard }).reply_markup;
export const textOf = (m: TgMessage) => (m as unknown as { text?: string }).text ?? '';

/** The latest message the bot sent to `chatId` that matches, once there is one. */
export function lastSent(h: Harness, chatId: number, predicate: (m: TgMessage) => boolean = () => true) {
  return waitFor(() => h.api.sentMessages(chatId).filter(predicate).at(-1), {
    description: `a message to ${chatId}`,
  });
}

/** A new agent (made so by a new admin), speaking `language`. */
export async function makeAgent(h: Harness, first = 'Agent', language = 'en') {
  const id = newUserId();
  const adminId = newUserId();
  await h.uc.upsertUser({ id: adminId, first_name: 'Admin' }, { adminIds: [adminId] });
  await h.uc.upsertUser({ id, first_name: first, language_code: language });
  await h.uc.setRole({ id: adminId, role: 'admin' }, id, 'agent');
  return id;
}

/** Runs `fn` with the admins' contact step on (customers share their phone before a ticket opens), then off. */
export async function withContactStep(h: Harness, fn: () => Promise<void>): Promise<void> {
  const adminId = newUserId();
  await h.uc.upsertUser({ id: adminId, first_name: 'Admin' }, { adminIds: [adminId] });
  const admin = { id: adminId, role: 'admin' as const };
  await h.uc.setContactStep(admin, { required: true });
  try {
    await fn();
  } finally {
    await h.uc.setContactStep(admin, { required: false });
  }
}
