import { type Actor, displayName, type Person, type TelegramProfile, type User } from '@tikethet/domain';
import { encodeFrame } from './frames';

/** What a hello needs of a user, built once and shared by every socket of that user. */
export interface KnownUser {
  readonly user: User;
  readonly actor: Actor;
  readonly person: Person;
  /** The `ready` frame, encoded once. */
  readonly readyFrame: Buffer;
}

export function knownUser(user: User): KnownUser {
  return {
    user,
    actor: { id: user.id, role: user.role },
    person: { id: user.id, name: displayName(user), role: user.role },
    readyFrame: Buffer.from(encodeFrame({ type: 'ready', user })),
  };
}

/** Where users come from: packages/auth's identity (recorded on first contact, admins by configuration). */
export interface UserSource {
  userOf(profile: TelegramProfile): Promise<User>;
  forget?(userId: number): void;
  forgetAll?(): void;
}

export interface UserDirectoryOptions {
  /** How long a user read from Postgres answers later hellos (a safety net; role changes evict at once). */
  ttlMs: number;
  /** False while role changes cannot be heard (the bus is down): nothing is kept then. */
  canKeep(): boolean;
}

/**
 * The users behind hellos, with the role stored in Postgres. A burst of hellos (a reconnect storm, one user's
 * many tabs) costs one read per user: reads in flight are shared and a result is kept for a few seconds. A role
 * change (`forget`) or a bus outage (`forgetAll`) drops what was kept and outdates the reads in flight, so a
 * hello after a role change always reads the new role.
 */
export function createUserDirectory(users: UserSource, options: UserDirectoryOptions) {
  /** Kept users in the order they were read (oldest first), so expiry only looks at the front. */
  const kept = new Map<number, { known: KnownUser; at: number }>();
  const reading = new Map<number, Promise<KnownUser>>();
  /** Bumped by every forget: a read that started before it is not kept. */
  let epoch = 0;

  function dropExpired(now: number): void {
    for (const [id, entry] of kept) {
      if (entry.at + options.ttlMs > now) return;
      kept.delete(id);
    }
  }

  async function read(profile: TelegramProfile): Promise<KnownUser> {
    const startedAt = epoch;
    const user = await users.userOf(profile);
    const known = knownUser(user);
    if (startedAt === epoch && options.canKeep()) {
      kept.delete(user.id);
      kept.set(user.id, { known, at: Date.now() });
    }
    return known;
  }

  return {
    /** The user of a valid hello: kept, being read, or read now (recorded on first contact). */
    load(profile: TelegramProfile): Promise<KnownUser> {
      dropExpired(Date.now());
      const entry = kept.get(profile.id);
      if (entry) return Promise.resolve(entry.known);
      const pending = reading.get(profile.id);
      if (pending) return pending;
      const started = read(profile).finally(() => {
        if (reading.get(profile.id) === started) reading.delete(profile.id);
      });
      reading.set(profile.id, started);
      return started;
    },
    /** The user's role changed: the next hello reads it again. */
    forget(userId: number): void {
      users.forget?.(userId);
      epoch += 1;
      kept.delete(userId);
      reading.delete(userId);
    },
    /**
     * The role kept for the user's next hellos if it was read before `readBefore` (ms), for the role re-check
     * to compare with what Postgres said after that.
     */
    keptRole(userId: number, readBefore: number): string | undefined {
      const entry = kept.get(userId);
      return entry && entry.at < readBefore ? entry.known.actor.role : undefined;
    },
    /** Users whose role is kept for the next hellos. */
    keptIds(): IterableIterator<number> {
      return kept.keys();
    },
    /** Role changes may have been missed (bus down or back): every next hello reads again. */
    forgetAll(): void {
      users.forgetAll?.();
      epoch += 1;
      kept.clear();
      reading.clear();
    },
    get size(): number {
      return kept.size;
    },
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
