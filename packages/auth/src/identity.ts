import type { TelegramProfile, User } from '@tikethet/domain';
import { validateInitData } from './init-data';
import { InitDataCache } from './init-data-cache';
import { UserCache } from './user-cache';

/** Seconds of clock skew tolerated for an auth_date in the future. */
export const FUTURE_SKEW_S = 60;

export interface IdentityOptions {
  botToken: string;
  maxAgeS: number;
  /** Telegram ids that are admins by configuration (ADMIN_TELEGRAM_IDS): their upsert makes them admins. */
  adminIds: readonly number[];
  /** Records the profile and answers the user with the role stored in Postgres (packages/db `upsertUser`). */
  upsertUser(profile: TelegramProfile, options: { adminIds: readonly number[] }): Promise<User>;
  /** Users by Telegram id (default: a fresh cache, 60 s, 10,000 users). */
  cache?: UserCache;
  /** Signatures already checked (default: a fresh cache of 10,000 strings). */
  verified?: InitDataCache;
  /** False while role changes cannot be heard (the gateway's bus is down): no user is kept then. */
  canKeep?: () => boolean;
  nowS?: () => number;
}

export type Identified = { ok: true; user: User } | { ok: false; reason: string };

/**
 * The one way from initData to a user with a role, for the API and the gateway: the signature and age as
 * Telegram specifies (a string that validated once skips the HMACs, its age is checked on every use), then
 * the user with the role stored in Postgres — never from the client. The profile is recorded on first
 * contact and whenever it changed or its cache entry expired (an id in `adminIds` becomes admin there);
 * concurrent first requests of one user share that write. `forget` after a role change.
 */
export function createIdentity(options: IdentityOptions) {
  const cache = options.cache ?? new UserCache();
  const verified = options.verified ?? new InitDataCache();
  const nowS = options.nowS ?? (() => Math.floor(Date.now() / 1000));
  const canKeep = options.canKeep ?? (() => true);
  const inFlight = new Map<string, Promise<User>>();

  async function record(profile: TelegramProfile): Promise<User> {
    const epoch = cache.epoch;
    const key = `${profile.id}:${epoch}`;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = options
        .upsertUser(profile, { adminIds: options.adminIds })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    const user = await pending;
    if (canKeep()) cache.set(profile, user, epoch);
    return user;
  }

  /** The profile of a valid initData string; the reason it is not otherwise. */
  function verify(
    raw: string | undefined,
  ): { ok: true; profile: TelegramProfile } | { ok: false; reason: string } {
    const now = nowS();
    const known = raw ? verified.get(raw) : undefined;
    if (known) {
      // Same string, same signature: only its age can have changed.
      if (now - known.authDate > options.maxAgeS) return { ok: false, reason: 'expired' };
      if (known.authDate > now + FUTURE_SKEW_S) return { ok: false, reason: 'future' };
      return { ok: true, profile: known.user };
    }
    const result = validateInitData(raw, {
      botToken: options.botToken,
      maxAgeS: options.maxAgeS,
      futureSkewS: FUTURE_SKEW_S,
      nowS: now,
    });
    if (!result.ok) return result;
    if (raw) verified.set(raw, { user: result.user, authDate: result.authDate });
    return { ok: true, profile: result.user };
  }

  /** The user of a verified profile: kept, or recorded now. */
  async function userOf(profile: TelegramProfile): Promise<User> {
    return cache.get(profile) ?? (await record(profile));
  }

  return {
    verify,
    userOf,
    async identify(initData: string | undefined): Promise<Identified> {
      const checked = verify(initData);
      if (!checked.ok) return checked;
      return { ok: true, user: await userOf(checked.profile) };
    },
    /** The user's role changed: the next request reads and records them again. */
    forget(userId: number): void {
      cache.invalidate(userId);
    },
    /** Role changes may have been missed: every next request reads again. */
    forgetAll(): void {
      cache.clear();
    },
    cache,
  };
}

export type Identity = ReturnType<typeof createIdentity>;
