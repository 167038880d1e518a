import { createIdentity, type InitDataCache, type UserCache } from '@tikethet/auth';
import type { UseCases } from '@tikethet/db';
import type { User } from '@tikethet/domain';
import { HttpError } from '../http/errors';

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

function rejected(reason: string): HttpError {
  const message =
    reason === 'missing'
      ? 'Authorization: tma <initData> is required'
      : `initData rejected: ${reason.replace('_', ' ')}`;
  return new HttpError(401, `auth_${reason}`, message);
}

/** `Authorization: tma <initData>` through the one identity of packages/auth; a 401 naming the reason. */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const identity = createIdentity({
    ...options,
    upsertUser: (profile, o) => options.uc.upsertUser(profile, o),
  });
  return {
    async authenticate(header) {
      const identified = await identity.identify(header ? SCHEME.exec(header)?.[1] : undefined);
      if (!identified.ok) throw rejected(identified.reason);
      return identified.user;
    },
  };
}
