import type { TelegramProfile, User } from '@tikethet/domain';
import { createUserDirectory } from './user-directory';

function userOf(profile: TelegramProfile, role: User['role']): User {
  return {
    id: profile.id,
    firstName: profile.first_name,
    lastName: null,
    username: null,
    languageCode: null,
    language: 'en',
    photoUrl: null,
    role,
    availability: 'online',
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

/** A stand-in for the identity over Postgres: users by id, counting reads, each read waiting until `release()`. */
function fakeStore() {
  const rows = new Map<number, User>();
  const waiting: Array<() => void> = [];
  const store = {
    rows,
    reads: 0,
    upserts: 0,
    release() {
      for (const go of waiting.splice(0)) go();
    },
    async getUser(id: number): Promise<User | null> {
      store.reads += 1;
      const row = rows.get(id) ?? null;
      await new Promise<void>((resolve) => waiting.push(resolve));
      return row;
    },
    async upsertUser(profile: TelegramProfile): Promise<User> {
      store.upserts += 1;
      const user = userOf(profile, 'customer');
      rows.set(user.id, user);
      return user;
    },
    /** The identity's part here: a known user as stored, a new one recorded. */
    async userOf(profile: TelegramProfile): Promise<User> {
      return (await store.getUser(profile.id)) ?? (await store.upsertUser(profile));
    },
  };
  return store;
}

const ann: TelegramProfile = { id: 7001, first_name: 'Ann' };

async function settle<T>(store: ReturnType<typeof fakeStore>, pending: Promise<T>): Promise<T> {
  await Promise.resolve();
  store.release();
  return pending;
}

it('reads a user once for a burst of hellos and shares one actor and person between them', async () => {
  const store = fakeStore();
  store.rows.set(ann.id, userOf(ann, 'agent'));
  const users = createUserDirectory(store, { ttlMs: 60_000, canKeep: () => true });
  const first = users.load(ann);
  const second = users.load(ann);
  const [a, b] = await settle(store, Promise.all([first, second]));
  const c = await users.load(ann);
  expect(store.reads).toBe(1);
  expect(a).toBe(b);
  expect(c).toBe(a);
  expect(a.actor).toEqual({ id: ann.id, role: 'agent' });
  expect(a.person).toEqual({ id: ann.id, name: 'Ann', role: 'agent' });
  expect(JSON.parse(a.readyFrame.toString())).toEqual({ type: 'ready', user: store.rows.get(ann.id) });
});

it('records a user seen for the first time', async () => {
  const store = fakeStore();
  const users = createUserDirectory(store, { ttlMs: 60_000, canKeep: () => true });
  const known = await settle(store, users.load(ann));
  expect(store.upserts).toBe(1);
  expect(known.actor.role).toBe('customer');
});

it('reads again after a role change, even when the change lands while a read is in flight', async () => {
  const store = fakeStore();
  store.rows.set(ann.id, userOf(ann, 'customer'));
  const users = createUserDirectory(store, { ttlMs: 60_000, canKeep: () => true });
  await settle(store, users.load(ann));
  store.rows.set(ann.id, userOf(ann, 'agent'));
  users.forget(ann.id);
  expect((await settle(store, users.load(ann))).actor.role).toBe('agent');

  // A read that started before the change is neither joined by later hellos nor kept.
  users.forget(ann.id);
  const stale = users.load(ann);
  await Promise.resolve();
  store.rows.set(ann.id, userOf(ann, 'admin'));
  users.forget(ann.id);
  const fresh = users.load(ann);
  store.release();
  expect((await stale).actor.role).toBe('agent');
  expect((await fresh).actor.role).toBe('admin');
  expect((await users.load(ann)).actor.role).toBe('admin');
  expect(store.reads).toBe(4);
});

it('keeps nothing while role changes cannot be heard, and forgets everything when told', async () => {
  const store = fakeStore();
  store.rows.set(ann.id, userOf(ann, 'customer'));
  let busUp = false;
  const users = createUserDirectory(store, { ttlMs: 60_000, canKeep: () => busUp });
  await settle(store, users.load(ann));
  expect(users.size).toBe(0);
  busUp = true;
  await settle(store, users.load(ann));
  expect(users.size).toBe(1);
  users.forgetAll();
  expect(users.size).toBe(0);
  expect(store.reads).toBe(2);
});

it('reads again once the kept user is older than the ttl', async () => {
  const store = fakeStore();
  store.rows.set(ann.id, userOf(ann, 'customer'));
  const users = createUserDirectory(store, { ttlMs: 0, canKeep: () => true });
  await settle(store, users.load(ann));
  await settle(store, users.load(ann));
  expect(store.reads).toBe(2);
});

it('shares a failed read with the hellos waiting on it, then reads again', async () => {
  const store = fakeStore();
  let fail = true;
  const users = createUserDirectory(
    {
      userOf: async (profile) => {
        store.reads += 1;
        if (fail) throw new Error('db down');
        return userOf(profile, 'customer');
      },
    },
    { ttlMs: 60_000, canKeep: () => true },
  );
  await expect(Promise.all([users.load(ann), users.load(ann)])).rejects.toThrow('db down');
  fail = false;
  expect((await users.load(ann)).actor.role).toBe('customer');
  expect(store.reads).toBe(2);
});
