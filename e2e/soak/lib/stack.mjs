// The soak's own world on loopback: fresh database, private redis-server, fake Bot API, every app a process.

import { built, db, testkit } from './modules.mjs';
import { createApp } from './processes.mjs';

export const ADMIN_ID = 3_000_001;

/**
 * Starts everything; `cleanup` (always safe to call) stops what was started and drops the database.
 * `onStarted` receives the partial stack early, so a failure half-way still cleans up.
 */
export async function startStack(cleanup) {
  const database = await testkit.createTestDatabase('soak');
  cleanup.push(() => database.drop());
  await db.runMigrations(database.url);
  const redis = await testkit.startRedisServer();
  cleanup.push(() => redis.stop());
  const fake = await testkit.startFakeBotApi();
  cleanup.push(() => fake.close());

  const [apiPort, gatewayPortA, gatewayPortB, botPort] = await Promise.all([
    testkit.freePort(),
    testkit.freePort(),
    testkit.freePort(),
    testkit.freePort(),
  ]);
  const shared = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    DATABASE_URL: database.url,
    REDIS_URL: redis.url,
    TELEGRAM_BOT_TOKEN: testkit.TEST_BOT_TOKEN,
  };
  const api = createApp(
    'api',
    built('apps/api/dist/index.js'),
    {
      ...shared,
      PORT: String(apiPort),
      RATE_LIMIT_PER_MIN: '0',
      ADMIN_TELEGRAM_IDS: String(ADMIN_ID),
      PUBLIC_URL: 'https://soak.example',
      TELEGRAM_API_ROOT: fake.apiRoot,
    },
    `http://127.0.0.1:${apiPort}/readyz`,
  );
  const gateways = [gatewayPortA, gatewayPortB].map((port, i) =>
    createApp(
      `gateway-${i === 0 ? 'a' : 'b'}`,
      built('apps/gateway/dist/index.js'),
      // All 180 clients connect from 127.0.0.1, and all to one gateway while the other is down.
      { ...shared, PORT: String(port), MAX_SOCKETS_PER_IP: '10000' },
      `http://127.0.0.1:${port}/readyz`,
    ),
  );
  const bot = createApp(
    'bot',
    built('apps/bot/dist/index.js'),
    {
      ...shared,
      PORT: String(botPort),
      BOT_MODE: 'polling',
      TELEGRAM_API_ROOT: fake.apiRoot,
      PUBLIC_URL: 'https://soak.example',
      ADMIN_TELEGRAM_IDS: String(ADMIN_ID),
      BOT_RATE_GLOBAL_PER_S: '300',
      BOT_RATE_PRIVATE_PER_S: '30',
      BOT_GETUPDATES_TIMEOUT_S: '5',
    },
    `http://127.0.0.1:${botPort}/readyz`,
  );
  const apps = [api, ...gateways, bot];
  cleanup.push(() => Promise.all(apps.map((app) => app.stop())));
  await Promise.all(apps.map((app) => app.start()));
  return {
    database,
    redis,
    fake,
    apps,
    api,
    gateways,
    bot,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    gatewayUrls: [gatewayPortA, gatewayPortB].map((port) => `ws://127.0.0.1:${port}/ws`),
  };
}
