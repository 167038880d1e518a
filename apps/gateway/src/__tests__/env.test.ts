import { developmentBotToken, EnvError } from '@tikethet/config';
import { TEST_BOT_TOKEN } from '@tikethet/testkit';
import { loadGatewayEnv } from '../env';

/** The gateway trusts initData too: it refuses the same tokens as the API (issue 13, item 3). */
const base = { DATABASE_URL: 'postgres://x@127.0.0.1/db' };

function variablesRefused(env: Record<string, string>): string[] {
  try {
    loadGatewayEnv({ ...base, ...env });
  } catch (error) {
    if (error instanceof EnvError) return error.variables;
    throw error;
  }
  return [];
}

describe('the bot token the gateway starts with', () => {
  it('refuses a placeholder or missing token, naming TELEGRAM_BOT_TOKEN', () => {
    expect(variablesRefused({ TELEGRAM_BOT_TOKEN: '1000000000:local-compose-placeholder-token' })).toEqual([
      'TELEGRAM_BOT_TOKEN',
    ]);
    expect(variablesRefused({})).toEqual(['TELEGRAM_BOT_TOKEN']);
  });

  it('refuses the development token outside development mode, and DEV_LOGIN=1 with a real token', () => {
    const dev = developmentBotToken();
    expect(variablesRefused({ TELEGRAM_BOT_TOKEN: dev })).toEqual(['TELEGRAM_BOT_TOKEN']);
    expect(variablesRefused({ TELEGRAM_BOT_TOKEN: dev, DEV_LOGIN: '1', NODE_ENV: 'production' })).toEqual([
      'TELEGRAM_BOT_TOKEN',
    ]);
    expect(variablesRefused({ TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN, DEV_LOGIN: '1' })).toEqual(['DEV_LOGIN']);
  });

  it('accepts a real token, and the development token in development mode', () => {
    expect(variablesRefused({ TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN })).toEqual([]);
    expect(variablesRefused({ TELEGRAM_BOT_TOKEN: developmentBotToken(), DEV_LOGIN: '1' })).toEqual([]);
  });
});
