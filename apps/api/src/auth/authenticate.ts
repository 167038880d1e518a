import { validateInitData } from '@tikethet/auth';
import type { UseCases } from '@tikethet/db';
import type { TelegramProfile, User } from '@tikethet/domain';
import { HttpError } from '../http/errors';
import { InitDataCache } from './init-data-cache';
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
  /** Signatures already checked (default: a fresh cache of 10,000 strings). */
  verified?: InitDataCache;
  nowS?: () => number;
}

const SCHEME = /^tma (.+)$/;
/** Seconds of clock skew tolerated for an auth_date in the future (as packages/auth). */
const FUTURE_SKEW_S = 60;

function rejected(reason: string): HttpError {
  const message =
    reason === 'missing'
      ? 'Authorization: tma <initData> is required'
      : `initData rejected: ${reason.replace('_', ' ')}`;
  return new HttpError(401, `auth_${reason}`, message);
}

/**
 * Validates initData as Telegram specifies (packages/auth) and records the profile. The upsert runs only
 * when the profile changed or the cache entry expired; concurrent first requests of one user share it.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { cache, uc } = options;
  const verified = options.verified ?? new InitDataCache();
  const nowS = options.nowS ?? (() => Math.floor(Date.now() / 1000));
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
      const now = nowS();
      let known = raw ? verified.get(raw) : undefined;
      if (known) {
        // Same string, same signature: only its age can have changed.
        if (now - known.authDate > options.maxAgeS) throw rejected('expired');
        if (known.authDate > now + FUTURE_SKEW_S) throw rejected('future');
      } else {
        const result = validateInitData(raw, {
          botToken: options.botToken,
          maxAgeS: options.maxAgeS,
          futureSkewS: FUTURE_SKEW_S,
          nowS: now,
        });
        if (!result.ok) throw rejected(result.reason);
        known = { user: result.user, authDate: result.authDate };
        if (raw) verified.set(raw, known);
      }
      return cache.get(known.user) ?? (await record(known.user));
    },
  };
}
