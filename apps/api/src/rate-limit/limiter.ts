import type Redis from 'ioredis';

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the current window ends (for Retry-After). */
  retryAfterS: number;
}

export interface RateLimiter {
  /** Counts one request under each key (one Redis round trip for all) and says whether all are within the limit. */
  hit(...keys: string[]): Promise<RateDecision>;
}

export interface LimiterOptions {
  /** Requests per window; 0 turns limiting off. */
  limit: number;
  /** Default 60,000 ms. */
  windowMs?: number;
  now?: () => number;
}

function decide(count: number, limit: number, windowEnd: number, now: number): RateDecision {
  return { allowed: count <= limit, retryAfterS: Math.max(1, Math.ceil((windowEnd - now) / 1000)) };
}

/** Fixed windows counted in this process; the map is replaced when the window rolls over. */
export function createMemoryLimiter(options: LimiterOptions): RateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  let windowIndex = -1;
  let counts = new Map<string, number>();
  return {
    async hit(...keys) {
      const t = now();
      const index = Math.floor(t / windowMs);
      if (index !== windowIndex) {
        windowIndex = index;
        counts = new Map();
      }
      let highest = 0;
      for (const key of keys) {
        const count = (counts.get(key) ?? 0) + 1;
        counts.set(key, count);
        highest = Math.max(highest, count);
      }
      return decide(highest, options.limit, (index + 1) * windowMs, t);
    },
  };
}

export interface RedisLimiterOptions extends LimiterOptions {
  redis: Redis;
  prefix?: string;
  /** A Redis that does not answer within this time is skipped. Default 250 ms. */
  timeoutMs?: number;
  /** Used while Redis is down or slow, so limits still hold per process. */
  fallback: RateLimiter;
  onFailure?: (error: unknown) => void;
}

/**
 * Fixed windows shared by every API instance: INCR + PEXPIRE on `<prefix>:<key>:<window>`, every key of a hit
 * in one MULTI. When Redis is
 * not connected, fails or is slow, the request is counted in the process instead (never refused for that).
 */
export function createRedisLimiter(options: RedisLimiterOptions): RateLimiter {
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const prefix = options.prefix ?? 'tikethet:rl';
  const timeoutMs = options.timeoutMs ?? 250;
  const { redis, fallback } = options;

  /** The highest of the keys' counts after counting this request. */
  async function count(keys: readonly string[]): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('rate limit: Redis timed out')), timeoutMs);
    });
    const multi = redis.multi();
    for (const key of keys) multi.incr(key).pexpire(key, windowMs);
    try {
      const replies = await Promise.race([multi.exec(), timeout]);
      let highest = 0;
      for (let i = 0; i < keys.length; i++) {
        const incr = replies?.[2 * i];
        if (!incr || incr[0]) throw incr?.[0] ?? new Error('rate limit: no reply');
        highest = Math.max(highest, Number(incr[1]));
      }
      return highest;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  return {
    async hit(...keys) {
      if (redis.status !== 'ready') return fallback.hit(...keys);
      const t = now();
      const index = Math.floor(t / windowMs);
      try {
        const n = await count(keys.map((key) => `${prefix}:${key}:${index}`));
        return decide(n, options.limit, (index + 1) * windowMs, t);
      } catch (error) {
        options.onFailure?.(error);
        return fallback.hit(...keys);
      }
    },
  };
}
