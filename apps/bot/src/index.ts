import http from 'node:http';
import { createBus } from '@tikethet/bus';
import { createLogger, exitOnSignals, orExitOnEnvError, resolvePort } from '@tikethet/config';
import { createDb } from '@tikethet/db';
import { Redis } from 'ioredis';
import { createBot } from './create-bot';
import { loadBotEnv } from './env';

async function main() {
  const env = orExitOnEnvError(() => loadBotEnv());
  const logger = createLogger('bot');
  const db = createDb(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE, applicationName: 'tikethet-bot' });
  const bus = await createBus(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {});
  // The outbound limits are shared through Redis when there is one, so several bot instances keep them together.
  const redis = env.REDIS_URL
    ? new Redis(env.REDIS_URL, {
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectionName: 'tikethet-bot-limits',
      })
    : undefined;
  redis?.on('error', (err) => logger.debug({ err }, 'send-limit Redis error'));
  const bot = createBot({ env, db, bus, logger, redis });
  const server = http.createServer((req, res) => void bot.httpHandler(req, res));
  const port = resolvePort(env, env.BOT_PORT);
  await new Promise<void>((resolve) => server.listen(port, resolve));
  logger.info({ port }, 'bot http listening');
  await bot.start();

  // In-flight webhook requests finish; what did not get answered is redelivered by Telegram, idempotently.
  exitOnSignals({
    logger,
    server,
    release: async () => {
      await bot.stop();
      await bus.close();
      redis?.disconnect();
      await db.close();
    },
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`bot failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
