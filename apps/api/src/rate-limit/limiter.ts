import type { Cluster, Redis } from 'ioredis';

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
  /** One Redis or a Redis Cluster. */
  redis: Redis | Cluster;
  prefix?: string;
  /** A Redis that does not answer within this time is skipped. Default 250 ms. */
  timeoutMs?: number;
  /** Used while Redis is down or slow, so limits still hold per process. */
  fallback: RateLimiter;
  onFailure?: (error: unknown) => void;
}

/**
 * The counter of one key in one window: `<prefix>:{<key>}:<window>`. The hash tag puts every window of a key
 * in one Redis Cluster slot, so its INCR + PEXPIRE transaction never spans slots (CROSSSLOT).
 */
export function windowKey(prefix: string, key: string, index: number): string {
  return `${prefix}:{${key}}:${index}`;
}

/**
 * Fixed windows shared by every API instance: INCR + PEXPIRE of each key in a MULTI of its own (one slot
 * each on a cluster); the transactions of one hit leave together, in one round trip. When Redis is not
 * connected, fails or is slow, the request is counted in the process instead (never refused for that).
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
    const counts = keys.map((key) =>
      redis
        .multi()
        .incr(key)
        .pexpire(key, windowMs)
        .exec()
        .then((replies) => {
          const incr = replies?.[0];
          if (!incr || incr[0]) throw incr?.[0] ?? new Error('rate limit: no reply');
          return Number(incr[1]);
        }),
    );
    try {
      return Math.max(0, ...(await Promise.race([Promise.all(counts), timeout])));
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
        const n = await count(keys.map((key) => windowKey(prefix, key, index)));
        return decide(n, options.limit, (index + 1) * windowMs, t);
      } catch (error) {
        options.onFailure?.(error);
        return fallback.hit(...keys);
      }
    },
  };
}
