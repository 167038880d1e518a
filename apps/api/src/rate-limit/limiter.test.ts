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

describe('one hit on several keys', () => {
  it('counts the request under every key and is refused when any of them is past the limit', async () => {
    const limiter = createMemoryLimiter({ limit: 2, now: () => 60_000 * 10 });
    expect((await limiter.hit('ip:1', 'user:1')).allowed).toBe(true);
    expect((await limiter.hit('ip:2', 'user:1')).allowed).toBe(true);
    // user:1 is now at its third request, ip:3 at its first.
    expect((await limiter.hit('ip:3', 'user:1')).allowed).toBe(false);
    expect((await limiter.hit('ip:1')).allowed).toBe(true);
    expect((await limiter.hit('ip:1')).allowed).toBe(false);
  });
});
