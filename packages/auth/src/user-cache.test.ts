import type { User } from '@tikethet/domain';
import { UserCache } from './user-cache';

const profile = { id: 7, first_name: 'Анна', username: 'anna' };
const user = (role: User['role']): User => ({
  id: 7,
  firstName: 'Анна',
  lastName: null,
  username: 'anna',
  languageCode: null,
  language: 'ru',
  photoUrl: null,
  role,
  availability: 'online',
  createdAt: '2024-01-01T00:00:00.000Z',
});

describe('UserCache', () => {
  it('serves an unchanged profile until it expires; a changed profile misses', () => {
    let now = 0;
    const cache = new UserCache({ ttlMs: 1000, now: () => now });
    cache.set(profile, user('agent'), cache.epoch);
    expect(cache.get(profile)?.role).toBe('agent');
    expect(cache.get({ ...profile, username: 'anna2' })).toBeUndefined();
    cache.set(profile, user('agent'), cache.epoch);
    now = 1000;
    expect(cache.get(profile)).toBeUndefined();
  });

  it('drops a user on invalidate and refuses a lookup that began before it', () => {
    const cache = new UserCache();
    const started = cache.epoch;
    cache.set(profile, user('agent'), started);
    cache.invalidate(7);
    expect(cache.get(profile)).toBeUndefined();
    cache.set(profile, user('agent'), started);
    expect(cache.get(profile)).toBeUndefined();
    cache.set(profile, user('customer'), cache.epoch);
    expect(cache.get(profile)?.role).toBe('customer');
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('keeps at most `max` users, dropping the least recently used', () => {
    const cache = new UserCache({ max: 2 });
    const p = (id: number) => ({ id, first_name: `u${id}` });
    cache.set(p(1), { ...user('customer'), id: 1 }, cache.epoch);
    cache.set(p(2), { ...user('customer'), id: 2 }, cache.epoch);
    expect(cache.get(p(1))).toBeDefined();
    cache.set(p(3), { ...user('customer'), id: 3 }, cache.epoch);
    expect(cache.get(p(2))).toBeUndefined();
    expect(cache.get(p(1))).toBeDefined();
    expect(cache.get(p(3))).toBeDefined();
  });
});
