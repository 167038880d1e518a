import { developmentBotToken, EnvError } from '@tikethet/config';
import { TEST_BOT_TOKEN } from '@tikethet/testkit';
import { devLoginEnabled, loadApiEnv } from '../env';

/** Which bot tokens the API accepts at start, and when development sign-in exists (issue 13, items 2 and 3). */
const base = { DATABASE_URL: 'postgres://x@127.0.0.1/db' };
const DEV_TOKEN = developmentBotToken();

function refusal(env: Record<string, string>): EnvError {
  try {
    loadApiEnv({ ...base, ...env });
  } catch (error) {
    if (error instanceof EnvError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('the bot token the API starts with', () => {
  it.each([
    ['the old compose placeholder', '1000000000:local-compose-placeholder-token'],
    ['the .env.example sample', '123456789:AAE-your-token-from-BotFather'],
  ])('refuses %s, naming TELEGRAM_BOT_TOKEN', (_what, token) => {
    const error = refusal({ TELEGRAM_BOT_TOKEN: token });
    expect(error.variables).toEqual(['TELEGRAM_BOT_TOKEN']);
    expect(error.message).toMatch(/TELEGRAM_BOT_TOKEN: is a placeholder/);
  });

  it('refuses a missing token, naming it', () => {
    expect(refusal({}).variables).toEqual(['TELEGRAM_BOT_TOKEN']);
  });

  it.each([
    [{ NODE_ENV: 'development' }],
    [{ NODE_ENV: 'production', DEV_LOGIN: '1' }],
    [{ NODE_ENV: 'test', DEV_LOGIN: '0' }],
  ])('refuses the development token outside development mode (%j)', (env) => {
    const error = refusal({ TELEGRAM_BOT_TOKEN: DEV_TOKEN, ...env });
    expect(error.variables).toEqual(['TELEGRAM_BOT_TOKEN']);
    expect(error.message).toMatch(/development token/);
  });

  it.each(['development', 'production', 'test'])(
    'refuses DEV_LOGIN=1 with a configured token (NODE_ENV=%s), naming DEV_LOGIN',
    (nodeEnv) => {
      const error = refusal({ TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN, DEV_LOGIN: '1', NODE_ENV: nodeEnv });
      expect(error.variables).toEqual(['DEV_LOGIN']);
      expect(error.message).toMatch(
        /DEV_LOGIN: development sign-in is refused with a configured TELEGRAM_BOT_TOKEN/,
      );
    },
  );

  it('accepts a real token without DEV_LOGIN, with no development sign-in', () => {
    expect(devLoginEnabled(loadApiEnv({ ...base, TELEGRAM_BOT_TOKEN: TEST_BOT_TOKEN }))).toBe(false);
  });

  it('turns development sign-in on only with the development token, DEV_LOGIN=1 and NODE_ENV not production', () => {
    for (const nodeEnv of ['development', 'test']) {
      const env = loadApiEnv({ ...base, TELEGRAM_BOT_TOKEN: DEV_TOKEN, DEV_LOGIN: '1', NODE_ENV: nodeEnv });
      expect(devLoginEnabled(env)).toBe(true);
    }
  });
});
