import type { Identity } from '@tikethet/auth';
import type { KnownUser, UserDirectory } from './user-directory';

export type HelloResult = { ok: true; known: KnownUser } | { ok: false; reason: string };

/**
 * Validates initData and loads the user with the role stored in Postgres (never from the client), through
 * packages/auth's identity as the API does: recorded on first contact, an admin when configured so.
 */
export async function authenticate(
  identity: Pick<Identity, 'verify'>,
  users: Pick<UserDirectory, 'load'>,
  initData: string,
): Promise<HelloResult> {
  const result = identity.verify(initData);
  if (!result.ok) return { ok: false, reason: result.reason };
  return { ok: true, known: await users.load(result.profile) };
}
