import { randomBytes } from 'node:crypto';
import { type Bus, createRedisBus } from '@tikethet/bus';
import { createDb, type DbClient, runMigrations, type UseCases } from '@tikethet/db';
import { createTestDatabase, TEST_BOT_TOKEN, type TestDatabase, testRedisUrl } from '@tikethet/testkit';
import type express from 'express';
import Redis from 'ioredis';
import { type Api, createApi } from '../../create-api';
import { loadApiEnv } from '../../env';

export interface TestApi {
  api: Api;
  app: express.Express;
  uc: UseCases;
  db: DbClient;
  bus: Bus;
  redis: Redis;
  database: TestDatabase;
  /** A second bus on the same channel: stands for another process (the bot, another API). */
  otherBus(): Bus;
  close(): Promise<void>;
}

export const ADMIN_ID = 900_001;

export interface StartOptions {
  env?: Record<string, string>;
  /** Pass the Redis client for rate limits (default true). */
  redisLimits?: boolean;
}

/** The API on a fresh database, a Redis bus on a channel of its own and Redis rate-limit keys of its own. */
export async function startTestApi(label: string, options: StartOptions = {}): Promise<TestApi> {
  const database = await createTestDatabase(label);
  await runMigrations(database.url);
  const channel = `tt:test:api:${randomBytes(6).toString('hex')}`;
  const bus = createRedisBus({ url: testRedisUrl(), channel });
  const others: Bus[] = [];
  const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  const env = loadApiEnv({
    DATABASE_URL: database.url,
    TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN,
    ADMIN_TELEGRAM_IDS: String(ADMIN_ID),
    RATE_LIMIT_PER_MIN: '0',
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  // As in production (index.ts): the pool carries the statement timeout.
  const db = createDb(database.url, { max: 8, statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS });
  const api = createApi({
    env,
    db,
    bus,
    redis: options.redisLimits === false ? undefined : redis,
    rateLimitPrefix: `tt:test:rl:${randomBytes(6).toString('hex')}`,
  });
  // Wait until the bus subscription (role_changed) is live.
  await new Promise<void>((resolve) => {
    if (bus.healthy) resolve();
    const off = bus.onStatus((s) => {
      if (s === 'up') {
        off();
        resolve();
      }
    });
  });
  return {
    api,
    app: api.app,
    uc: api.useCases,
    db,
    bus,
    redis,
    database,
    otherBus() {
      const other = createRedisBus({ url: testRedisUrl(), channel });
      others.push(other);
      return other;
    },
    async close() {
      await api.close();
      await Promise.allSettled([bus.close(), ...others.map((b) => b.close())]);
      redis.disconnect();
      await db.close();
      await database.drop();
    },
  };
}
