import {
  adminEnv,
  baseEnv,
  checkBotToken,
  databaseEnv,
  isDevelopmentBotToken,
  loadEnv,
  portEnv,
  publicUrlEnv,
  rateLimitEnv,
  redisEnv,
  replicaEnv,
  resolvePort,
  statementTimeoutEnv,
  storageEnv,
  telegramAuthEnv,
} from '@tikethet/config';
import { z } from 'zod';

/** Everything the API reads from the environment (ARCHITECTURE §10). */
export const apiEnvShape = {
  ...baseEnv,
  ...databaseEnv,
  ...replicaEnv,
  ...statementTimeoutEnv,
  ...redisEnv,
  ...telegramAuthEnv,
  ...adminEnv,
  ...publicUrlEnv,
  ...rateLimitEnv,
  ...storageEnv,
  ...portEnv('API_PORT', 3000),
  /** Bot API base URL the attachment route fetches files from (a self-hosted Bot API or a test double). */
  TELEGRAM_API_ROOT: z
    .string()
    .url('must be an http(s) URL')
    .refine((v) => /^https?:\/\//.test(v), 'must be an http(s) URL')
    .default('https://api.telegram.org'),
  /**
   * How many reverse proxies sit in front of the API, the Mini App server included (Express `trust proxy`):
   * an unsigned request's client address for rate limits is taken that many entries from the right of
   * X-Forwarded-For. 0 = the socket address (reached directly). Default 1 (the Mini App server of `pnpm start`
   * and compose); per topology in README, "Rate limits and TRUST_PROXY_HOPS".
   */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(1),
};

export type ApiEnv = ReturnType<typeof loadApiEnv>;

/** Parses the API's environment; a placeholder token or DEV_LOGIN=1 with a real token is refused (`checkBotToken`). */
export function loadApiEnv(source: NodeJS.ProcessEnv = process.env) {
  const env = loadEnv(apiEnvShape, source);
  checkBotToken(env);
  return env;
}

export function apiPort(env: ApiEnv): number {
  return resolvePort(env, env.API_PORT);
}

/**
 * The development sign-in exists only with DEV_LOGIN=1, never in production, and only with the generated
 * development token (a real token with DEV_LOGIN=1 is refused at start); it answers loopback clients only.
 */
export function devLoginEnabled(env: Pick<ApiEnv, 'DEV_LOGIN' | 'NODE_ENV' | 'TELEGRAM_BOT_TOKEN'>): boolean {
  return env.DEV_LOGIN && env.NODE_ENV !== 'production' && isDevelopmentBotToken(env.TELEGRAM_BOT_TOKEN);
}
