import { randomBytes } from 'node:crypto';
import { EnvError } from './env';

/**
 * The development bot token: bot id 0, which Telegram never issues, so initData signed with it can never be
 * confused with a real bot's. The launcher generates one when no TELEGRAM_BOT_TOKEN is configured.
 */
const DEVELOPMENT_TOKEN = /^0:[A-Za-z0-9_-]{20,}$/;

/** Tokens copied from a template instead of @BotFather (compose's old default, .env.example's sample). */
const PLACEHOLDER_TOKEN = /placeholder|your[-_]?token|change[-_]?me|botfather/i;

export function isDevelopmentBotToken(token: string): boolean {
  return DEVELOPMENT_TOKEN.test(token);
}

export function developmentBotToken(): string {
  return `0:${randomBytes(27).toString('base64url')}`;
}

export interface BotTokenEnv {
  TELEGRAM_BOT_TOKEN: string;
  DEV_LOGIN: boolean;
  NODE_ENV: 'development' | 'production' | 'test';
}

const refuse = (variable: string, message: string) =>
  new EnvError([variable], `Invalid environment:\n  ${variable}: ${message}`);

/**
 * The token rules of every process that trusts initData. Refused at start, naming the variable:
 * a placeholder token; the development token outside development mode (DEV_LOGIN=1, NODE_ENV not production);
 * DEV_LOGIN=1 with a configured (real) token, since development sign-in would sign admin initData with it.
 * Returns whether this is the development mode (development sign-in may exist).
 */
export function checkBotToken(env: BotTokenEnv): boolean {
  const token = env.TELEGRAM_BOT_TOKEN;
  if (PLACEHOLDER_TOKEN.test(token)) {
    throw refuse('TELEGRAM_BOT_TOKEN', 'is a placeholder: set the token from @BotFather');
  }
  const development = isDevelopmentBotToken(token);
  if (env.DEV_LOGIN && !development) {
    throw refuse(
      'DEV_LOGIN',
      'development sign-in is refused with a configured TELEGRAM_BOT_TOKEN (it would sign initData with the real token); unset DEV_LOGIN',
    );
  }
  if (development && !(env.DEV_LOGIN && env.NODE_ENV !== 'production')) {
    throw refuse(
      'TELEGRAM_BOT_TOKEN',
      'the development token (bot id 0) is accepted only with DEV_LOGIN=1 outside production; set the token from @BotFather',
    );
  }
  return development;
}
