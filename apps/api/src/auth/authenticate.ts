import { validateInitData } from '@tikethet/auth';
import type { UseCases } from '@tikethet/db';
import type { TelegramProfile, User } from '@tikethet/domain';
import { HttpError } from '../http/errors';
import type { UserCache } from './user-cache';

export interface Authenticator {
  /** The user behind `Authorization: tma <initData>`, with the role stored in Postgres; throws 401. */
  authenticate(header: string | undefined): Promise<User>;
}

export interface AuthenticatorOptions {
  botToken: string;
  maxAgeS: number;
  adminIds: readonly number[];
  uc: Pick<UseCases, 'upsertUser'>;
  cache: UserCache;
}

const SCHEME = /^tma (.+)$/;

/**
 * Validates initData as Telegram specifies (packages/auth) and records the profile. The upsert runs only
 * when the profile changed or the cache entry expired; concurrent first requests of one user share it.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { cache, uc } = options;
  const inFlight = new Map<string, Promise<User>>();

  async function record(profile: TelegramProfile): Promise<User> {
    const epoch = cache.epoch;
    const key = `${profile.id}:${epoch}`;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = uc.upsertUser(profile, { adminIds: options.adminIds }).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const user = await pending;
    cache.set(profile, user, epoch);
    return user;
  }

  return {
    async authenticate(header) {
      const raw = header ? SCHEME.exec(header)?.[1] : undefined;
      const result = validateInitData(raw, { botToken: options.botToken, maxAgeS: options.maxAgeS });
      if (!result.ok) {
        const message =
          result.reason === 'missing'
            ? 'Authorization: tma <initData> is required'
            : `initData rejected: ${result.reason.replace('_', ' ')}`;
        throw new HttpError(401, `auth_${result.reason}`, message);
      }
      return cache.get(result.user) ?? (await record(result.user));
    },
  };
}
