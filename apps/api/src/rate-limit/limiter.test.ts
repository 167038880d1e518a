import { createMemoryLimiter } from './limiter';

describe('memory limiter', () => {
  it('allows `limit` hits per key and window, then says when to retry', async () => {
    let now = 60_000 * 10 + 45_000;
    const limiter = createMemoryLimiter({ limit: 2, now: () => now });
    expect((await limiter.hit('a')).allowed).toBe(true);
    expect((await limiter.hit('a')).allowed).toBe(true);
    expect(await limiter.hit('a')).toEqual({ allowed: false, retryAfterS: 15 });
    expect((await limiter.hit('b')).allowed).toBe(true);
    now += 15_000;
    expect((await limiter.hit('a')).allowed).toBe(true);
  });
});
