import { validateInitData } from '@tikethet/auth';
import type { KnownUser, UserDirectory } from './user-directory';

export type HelloResult = { ok: true; known: KnownUser } | { ok: false; reason: string };

/**
 * Validates initData and loads the user with the role stored in Postgres (never from the client). A user
 * seen for the first time is recorded, as the API does on first contact.
 */
export async function authenticate(
  users: Pick<UserDirectory, 'load'>,
  initData: string,
  options: { botToken: string; maxAgeS: number },
): Promise<HelloResult> {
  const result = validateInitData(initData, options);
  if (!result.ok) return { ok: false, reason: result.reason };
  return { ok: true, known: await users.load(result.user) };
}
