import type { TelegramProfile } from '@tikethet/domain';
import { LruMap } from './lru';

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
export class InitDataCache extends LruMap<string, Verified> {
  constructor(options: InitDataCacheOptions = {}) {
    super(options.max ?? 10_000);
  }
}
