import type { UseCases } from '@tikethet/db';
import type { Role } from '@tikethet/domain';
import { type InitDataUser, signInitData, TEST_BOT_TOKEN, tamperInitData } from '@tikethet/testkit';
import { ADMIN_ID } from './test-api';

export interface Person {
  id: number;
  role: Role;
  /** `Authorization` header value. */
  auth: string;
  profile: InitDataUser;
}

export function authFor(profile: InitDataUser, authDate?: number): string {
  return `tma ${signInitData({ botToken: TEST_BOT_TOKEN, user: profile, authDate })}`;
}

/** Makes a user with the role in the database and an Authorization header for it. */
export async function person(uc: UseCases, id: number, role: Role, name = `User ${id}`): Promise<Person> {
  const profile: InitDataUser = { id, first_name: name, username: `u${id}`, language_code: 'en' };
  await uc.upsertUser(profile, { adminIds: [ADMIN_ID] });
  if (role !== 'customer' && id !== ADMIN_ID) await uc.setRole({ id: ADMIN_ID, role: 'admin' }, id, role);
  return { id, role, auth: authFor(profile), profile };
}

export async function team(uc: UseCases) {
  const admin = await person(uc, ADMIN_ID, 'admin', 'Admin');
  const agent = await person(uc, 900_002, 'agent', 'Agent');
  const customer = await person(uc, 900_003, 'customer', 'Customer');
  const other = await person(uc, 900_004, 'customer', 'Other');
  return { admin, agent, customer, other };
}

const now = () => Math.floor(Date.now() / 1000);

/** The header variants a server must refuse. */
export function badAuth(profile: InitDataUser) {
  return {
    tampered: `tma ${tamperInitData(signInitData({ botToken: TEST_BOT_TOKEN, user: profile }), ADMIN_ID)}`,
    expired: authFor(profile, now() - 2 * 86_400),
    future: authFor(profile, now() + 3_600),
  };
}
