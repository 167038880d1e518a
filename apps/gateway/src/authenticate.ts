import { validateInitData } from '@tikethet/auth';
import type { UseCases } from '@tikethet/db';
import { displayName, type User } from '@tikethet/domain';

export type HelloResult = { ok: true; user: User } | { ok: false; reason: string };

/**
 * Validates initData and loads the user with the role stored in Postgres (never from the client). A user
 * seen for the first time is recorded, as the API does on first contact.
 */
export async function authenticate(
  uc: Pick<UseCases, 'getUser' | 'upsertUser'>,
  initData: string,
  options: { botToken: string; maxAgeS: number },
): Promise<HelloResult> {
  const result = validateInitData(initData, options);
  if (!result.ok) return { ok: false, reason: result.reason };
  const existing = await uc.getUser(result.user.id);
  const user = existing ?? (await uc.upsertUser(result.user));
  return { ok: true, user };
}

export function personOf(user: User) {
  return { id: user.id, name: displayName(user), role: user.role };
}
