import type { TelegramProfile, User } from '@tikethet/domain';
import { LruMap } from './lru';

interface Entry {
  user: User;
  profileKey: string;
  expiresAt: number;
}

export interface UserCacheOptions {
  /** How long a seen profile saves the upsert. Default 60 s. */
  ttlMs?: number;
  /** Most users kept (least recently used dropped first). Default 10,000. */
  max?: number;
  now?: () => number;
}

/** The fields of a Telegram profile that the upsert records: a change among them means a write. */
export function profileKey(p: TelegramProfile): string {
  return JSON.stringify([p.first_name, p.last_name, p.username, p.language_code, p.photo_url]);
}

/**
 * The last profile (and role) seen per Telegram id, so a request does not write the user row each time.
 * `epoch` grows with every invalidation: a lookup started before one must not store its (stale) result.
 */
export class UserCache {
  private readonly entries: LruMap<number, Entry>;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private currentEpoch = 0;

  constructor(options: UserCacheOptions = {}) {
    this.ttlMs = options.ttlMs ?? 60_000;
    this.entries = new LruMap(options.max ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  get epoch(): number {
    return this.currentEpoch;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached user when the profile is unchanged and the entry fresh. */
  get(profile: TelegramProfile): User | undefined {
    const entry = this.entries.get(profile.id);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now() || entry.profileKey !== profileKey(profile)) {
      this.entries.delete(profile.id);
      return undefined;
    }
    return entry.user;
  }

  /** Stores the result of a lookup begun at `epoch`, unless something was invalidated since. */
  set(profile: TelegramProfile, user: User, epoch: number): void {
    if (epoch !== this.currentEpoch) return;
    this.entries.set(profile.id, {
      user,
      profileKey: profileKey(profile),
      expiresAt: this.now() + this.ttlMs,
    });
  }

  invalidate(userId: number): void {
    this.currentEpoch++;
    this.entries.delete(userId);
  }

  clear(): void {
    this.currentEpoch++;
    this.entries.clear();
  }
}
