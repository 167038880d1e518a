import {
  baseEnv,
  botEnv,
  checkBotToken,
  databaseEnv,
  EnvError,
  loadEnv,
  portEnv,
  publicUrlEnv,
  redisEnv,
  s3Env,
  telegramAuthEnv,
} from '@tikethet/config';
import { z } from 'zod';

const positive = (fallback: number) => z.coerce.number().positive().default(fallback);
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Everything the bot reads from the environment (ARCHITECTURE §10) plus the outbound queue's tunables. */
export const botEnvShape = {
  ...baseEnv,
  ...databaseEnv,
  ...redisEnv,
  ...telegramAuthEnv,
  ...botEnv,
  ...publicUrlEnv,
  ...s3Env,
  ...portEnv('BOT_PORT', 3002),
  /**
   * The admin listener (POST /telegram/admin/public-url, used by scripts/set-public-url) opens on
   * 127.0.0.1:BOT_ADMIN_PORT only when this secret is set; every request must carry it as a bearer token.
   */
  BOT_ADMIN_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{24,256}$/, 'must be 24-256 characters of A-Z a-z 0-9 _ -')
    .optional(),
  BOT_ADMIN_PORT: z.coerce.number().int().min(0).max(65535).default(3003),
  /** Telegram's limits: about 30 messages/s in all, 1/s per private chat, 20/min per group. */
  BOT_RATE_GLOBAL_PER_S: positive(30),
  BOT_RATE_PRIVATE_PER_S: positive(1),
  BOT_RATE_GROUP_PER_MIN: positive(20),
  /** Attempts of one outbound call before it is marked failed (429 waits do not count). */
  BOT_SEND_MAX_ATTEMPTS: positiveInt(8),
  /** First retry delay of a transient failure (doubles each attempt, capped at 60 s). */
  BOT_RETRY_BASE_MS: positiveInt(1000),
  /** How long an album's copy to agents (or a customer) waits for the album's last items (Telegram sends each alone). */
  BOT_ALBUM_SETTLE_MS: z.coerce.number().int().min(0).max(60_000).default(1500),
  /** How often the queue and the event catch-up look at Postgres when nothing woke them. */
  BOT_POLL_INTERVAL_MS: positiveInt(1000),
  /** Long-polling timeout of getUpdates, seconds. */
  BOT_GETUPDATES_TIMEOUT_S: z.coerce.number().int().min(0).max(50).default(25),
};

export type BotEnv = z.output<z.ZodObject<typeof botEnvShape>>;

/**
 * Parses the bot's environment; a placeholder token (`checkBotToken`) and webhook mode without
 * TELEGRAM_WEBHOOK_SECRET (or a URL) are refused.
 */
export function loadBotEnv(source: NodeJS.ProcessEnv = process.env): BotEnv {
  const env = loadEnv(botEnvShape, source);
  checkBotToken(env);
  if (env.BOT_MODE === 'webhook') {
    if (!env.TELEGRAM_WEBHOOK_SECRET) {
      throw new EnvError(
        ['TELEGRAM_WEBHOOK_SECRET'],
        'Invalid environment:\n  TELEGRAM_WEBHOOK_SECRET: required when BOT_MODE=webhook',
      );
    }
    if (!env.TELEGRAM_WEBHOOK_URL && !env.PUBLIC_URL) {
      throw new EnvError(
        ['TELEGRAM_WEBHOOK_URL'],
        'Invalid environment:\n  TELEGRAM_WEBHOOK_URL: required when BOT_MODE=webhook and PUBLIC_URL is unset',
      );
    }
  }
  return env;
}

export const WEBHOOK_PATH = '/telegram/webhook';

/** TELEGRAM_WEBHOOK_URL, else PUBLIC_URL + /telegram/webhook. */
export function webhookUrlOf(env: Pick<BotEnv, 'TELEGRAM_WEBHOOK_URL'>, publicUrl: string | undefined) {
  if (env.TELEGRAM_WEBHOOK_URL) return env.TELEGRAM_WEBHOOK_URL;
  return publicUrl ? `${publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}` : undefined;
}
