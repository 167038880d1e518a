import type { TelegramProfile } from '@tikethet/domain';

interface Verified {
  user: TelegramProfile;
  authDate: number;
}

export interface InitDataCacheOptions {
  /** Most initData strings kept (least recently used dropped first). Default 10,000. */
  max?: number;
}

/**
 * initData strings whose signature already checked out, so a Mini App's repeated requests (the same string
 * on every call) skip the two HMACs, the query parsing and the profile schema. Only a string that validated
 * is stored; its age is checked again on every use, so expiry works exactly as without the cache.
 */
export class InitDataCache {
  private readonly entries = new Map<string, Verified>();
  private readonly max: number;

  constructor(options: InitDataCacheOptions = {}) {
    this.max = options.max ?? 10_000;
  }

  get size(): number {
    return this.entries.size;
  }

  get(raw: string): Verified | undefined {
    const entry = this.entries.get(raw);
    if (!entry) return undefined;
    this.entries.delete(raw);
    this.entries.set(raw, entry);
    return entry;
  }

  set(raw: string, verified: Verified): void {
    this.entries.delete(raw);
    this.entries.set(raw, verified);
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}
