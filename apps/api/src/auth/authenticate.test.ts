import { InitDataCache, UserCache } from '@tikethet/auth';
import type { TelegramProfile, User } from '@tikethet/domain';
import { signInitData, TEST_BOT_TOKEN, tamperInitData } from '@tikethet/testkit';
import { HttpError } from '../http/errors';
import { createAuthenticator } from './authenticate';

const PROFILE: TelegramProfile = { id: 4242, first_name: 'Анна', language_code: 'ru' };
const AUTH_DATE = 1_700_000_000;
const MAX_AGE_S = 3600;

function setup() {
  let now = AUTH_DATE + 10;
  const upserts: TelegramProfile[] = [];
  const verified = new InitDataCache({ max: 2 });
  const auth = createAuthenticator({
    botToken: TEST_BOT_TOKEN,
    maxAgeS: MAX_AGE_S,
    adminIds: [],
    cache: new UserCache(),
    verified,
    nowS: () => now,
    uc: {
      upsertUser: async (profile: TelegramProfile): Promise<User> => {
        upserts.push(profile);
        const user: User = {
          id: profile.id,
          firstName: profile.first_name,
          lastName: null,
          username: null,
          languageCode: profile.language_code ?? null,
          language: 'ru',
          photoUrl: null,
          role: 'customer',
          availability: 'online',
          createdAt: new Date(0).toISOString(),
        };
        return user;
      },
    },
  });
  return {
    auth,
    verified,
    upserts,
    setNow: (s: number) => {
      now = s;
    },
  };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (error) {
    if (error instanceof HttpError) return error.code;
    throw error;
  }
}

describe('authenticator with the verified-initData cache', () => {
  const header = `tma ${signInitData({ botToken: TEST_BOT_TOKEN, user: PROFILE, authDate: AUTH_DATE })}`;

  it('accepts a repeated initData from the cache and still lets it expire', async () => {
    const { auth, verified, setNow } = setup();
    expect((await auth.authenticate(header)).id).toBe(PROFILE.id);
    expect(verified.size).toBe(1);
    expect((await auth.authenticate(header)).id).toBe(PROFILE.id);
    setNow(AUTH_DATE + MAX_AGE_S + 1);
    expect(await codeOf(auth.authenticate(header))).toBe('auth_expired');
  });

  it('never caches a rejected string: a tampered copy fails every time', async () => {
    const { auth, verified } = setup();
    await auth.authenticate(header);
    const tampered = `tma ${tamperInitData(header.slice(4))}`;
    expect(await codeOf(auth.authenticate(tampered))).toBe('auth_bad_hash');
    expect(await codeOf(auth.authenticate(tampered))).toBe('auth_bad_hash');
    expect(verified.size).toBe(1);
    expect(await codeOf(auth.authenticate(undefined))).toBe('auth_missing');
  });

  it('rejects an auth_date in the future, cached or not', async () => {
    const { auth, setNow } = setup();
    setNow(AUTH_DATE - 3600);
    expect(await codeOf(auth.authenticate(header))).toBe('auth_future');
    setNow(AUTH_DATE);
    expect(await codeOf(auth.authenticate(header))).toBe('ok');
    setNow(AUTH_DATE - 3600);
    expect(await codeOf(auth.authenticate(header))).toBe('auth_future');
  });
});

describe('InitDataCache', () => {
  it('keeps the most recently used strings up to its size', () => {
    const cache = new InitDataCache({ max: 2 });
    const v = (id: number) => ({ user: { id, first_name: 'x' }, authDate: 1 });
    cache.set('a', v(1));
    cache.set('b', v(2));
    expect(cache.get('a')?.user.id).toBe(1);
    cache.set('c', v(3));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.user.id).toBe(1);
    expect(cache.get('c')?.user.id).toBe(3);
    expect(cache.size).toBe(2);
  });
});
