import type { InitDataUser } from '@tikethet/testkit';
import { signInitData, TEST_BOT_TOKEN } from '@tikethet/testkit';

/** Calls the API directly (not through the browser) as `user`. */
export async function apiAs<T>(
  apiUrl: string,
  user: InitDataUser,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${apiUrl}/api/v1${path}`, {
    method,
    headers: {
      authorization: `tma ${signInitData({ botToken: TEST_BOT_TOKEN, user })}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} as ${user.id}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** Registers `people` (GET /me) and makes them agents through the API as `admin`. */
export async function makeAgents(apiUrl: string, admin: InitDataUser, people: InitDataUser[]): Promise<void> {
  await apiAs(apiUrl, admin, 'GET', '/me');
  for (const person of people) {
    await apiAs(apiUrl, person, 'GET', '/me');
    await apiAs(apiUrl, admin, 'PUT', `/agents/${person.id}`, { role: 'agent' });
  }
}
