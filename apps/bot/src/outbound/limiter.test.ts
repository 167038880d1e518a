import { limitsFrom, SendLimiter } from './limiter';

describe('SendLimiter', () => {
  const limits = limitsFrom({
    BOT_RATE_GLOBAL_PER_S: 3,
    BOT_RATE_PRIVATE_PER_S: 1,
    BOT_RATE_GROUP_PER_MIN: 2,
  });

  function clock() {
    let now = 1_000_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  }

  it('spaces a private chat to one send per window plus the guard', () => {
    const c = clock();
    const limiter = new SendLimiter(limits, 50, c.now);
    expect(limiter.delayFor(7, true)).toBe(0);
    const ticket = limiter.record(7);
    expect(limiter.delayFor(7, true)).toBe(20);
    c.advance(30);
    ticket.done();
    expect(limiter.delayFor(7, true)).toBe(1050);
    c.advance(1050);
    expect(limiter.delayFor(7, true)).toBe(0);
  });

  it('keeps the global limit across chats and lets non-message calls pass', () => {
    const c = clock();
    const limiter = new SendLimiter(limits, 0, c.now);
    for (const chat of [1, 2, 3]) {
      expect(limiter.delayFor(chat, true)).toBe(0);
      limiter.record(chat).done();
    }
    expect(limiter.delayFor(4, true)).toBe(1000);
    expect(limiter.delayFor(4, false)).toBe(0);
  });

  it('allows 20/min style group limits and obeys pauses', () => {
    const c = clock();
    const limiter = new SendLimiter(limits, 0, c.now);
    limiter.record(-5).done();
    c.advance(10);
    limiter.record(-5).done();
    expect(limiter.delayFor(-5, true)).toBe(60_000 - 10);
    limiter.pause(9, 3000, false);
    expect(limiter.delayFor(9, false)).toBe(3000);
    expect(limiter.delayFor(10, false)).toBe(0);
    limiter.pause(9, 2000, true);
    expect(limiter.delayFor(10, false)).toBe(2000);
  });

  it('turns fractional rates into longer windows', () => {
    expect(
      limitsFrom({ BOT_RATE_GLOBAL_PER_S: 30, BOT_RATE_PRIVATE_PER_S: 0.5, BOT_RATE_GROUP_PER_MIN: 20 }),
    ).toEqual({
      global: { limit: 30, windowMs: 1000 },
      privateChat: { limit: 1, windowMs: 2000 },
      group: { limit: 20, windowMs: 60_000 },
    });
  });
});
