import http from 'node:http';
import { createBus, openRedisClient, redisTarget } from '@tikethet/bus';
import { createLogger, exitOnSignals, orExitOnEnvError, resolvePort } from '@tikethet/config';
import { createDb } from '@tikethet/db';
import { createBot } from './create-bot';
import { type BotEnv, loadBotEnv } from './env';

export { type Bot, type BotDeps, createBot } from './create-bot';
export { type BotEnv, loadBotEnv } from './env';

/**
 * Starts the bot as a process does: webhook/HTTP on BOT_PORT, the admin listener on loopback when configured,
 * polling or the webhook, the outbound queue, and a clean stop on SIGTERM. Resolves with the HTTP server.
 */
export async function startBot(env: BotEnv): Promise<http.Server> {
  const logger = createLogger('bot');
  const db = createDb(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE, applicationName: 'tikethet-bot' });
  // REDIS_CLUSTER_NODES wins over REDIS_URL. The outbound limits are shared through Redis when there is one,
  // so several bot instances keep them together.
  const target = redisTarget(env);
  const bus = createBus({ redis: target });
  const redis = target ? openRedisClient(target, 'tikethet-bot-limits') : undefined;
  redis?.on('error', (err) => logger.debug({ err }, 'send-limit Redis error'));
  const bot = createBot({ env, db, bus, logger, redis });
  const server = http.createServer((req, res) => void bot.httpHandler(req, res));
  const port = resolvePort(env, env.BOT_PORT);
  await new Promise<void>((resolve) => server.listen(port, resolve));
  logger.info({ port }, 'bot http listening');
  // The admin endpoint (scripts/set-public-url) has a listener of its own, on loopback only.
  const adminHandler = bot.adminHandler;
  const admin = adminHandler ? http.createServer((req, res) => void adminHandler(req, res)) : undefined;
  if (admin) {
    await new Promise<void>((resolve) => admin.listen(env.BOT_ADMIN_PORT, '127.0.0.1', resolve));
    logger.info({ port: env.BOT_ADMIN_PORT }, 'bot admin listening on 127.0.0.1');
  }
  await bot.start();

  // In-flight webhook requests finish; what did not get answered is redelivered by Telegram, idempotently.
  exitOnSignals({
    logger,
    server,
    release: async () => {
      admin?.close();
      await bot.stop();
      await bus.close();
      redis?.disconnect();
      await db.close();
    },
  });
  return server;
}

if (require.main === module) {
  startBot(orExitOnEnvError(() => loadBotEnv())).catch((error: unknown) => {
    process.stderr.write(`bot failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
