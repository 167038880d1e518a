/** One limit: at most `limit` sends inside any window of `windowMs`. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

export interface SendLimits {
  global: WindowLimit;
  privateChat: WindowLimit;
  group: WindowLimit;
}

/** Telegram's limits from the env tunables (defaults 30/s in all, 1/s per private chat, 20/min per group). */
export function limitsFrom(env: {
  BOT_RATE_GLOBAL_PER_S: number;
  BOT_RATE_PRIVATE_PER_S: number;
  BOT_RATE_GROUP_PER_MIN: number;
}): SendLimits {
  const perWindow = (count: number, windowMs: number): WindowLimit =>
    count >= 1 ? { limit: Math.floor(count), windowMs } : { limit: 1, windowMs: Math.ceil(windowMs / count) };
  return {
    global: perWindow(env.BOT_RATE_GLOBAL_PER_S, 1000),
    privateChat: perWindow(env.BOT_RATE_PRIVATE_PER_S, 1000),
    group: perWindow(env.BOT_RATE_GROUP_PER_MIN, 60_000),
  };
}

/**
 * Sliding-window logs of the sends (global and per chat) plus pauses ordered by Telegram's retry_after.
 * A guard is added to each window so that network jitter between our clock and Telegram's cannot
 * squeeze two windows' worth of sends into one.
 */
export class SendLimiter {
  private readonly globalLog: number[] = [];
  private readonly chatLogs = new Map<number, number[]>();
  private readonly pausedUntil = new Map<number, number>();
  private globalPausedUntil = 0;

  constructor(
    private readonly limits: SendLimits,
    private readonly guardMs = 50,
    private readonly now: () => number = Date.now,
  ) {}

  private limitOf(chatId: number): WindowLimit {
    return chatId < 0 ? this.limits.group : this.limits.privateChat;
  }

  private static waitIn(log: number[], { limit, windowMs }: WindowLimit, guardMs: number, now: number): number {
    const span = windowMs + guardMs;
    while (log.length > 0 && (log[0] ?? 0) <= now - span) log.shift();
    if (log.length < limit) return 0;
    return (log[log.length - limit] ?? now) + span - now;
  }

  /** Milliseconds to wait before this send may go; 0: go now. Messages count; other calls only obey pauses. */
  delayFor(chatId: number, counts: boolean): number {
    const now = this.now();
    let wait = Math.max(0, this.globalPausedUntil - now, (this.pausedUntil.get(chatId) ?? 0) - now);
    if (counts) {
      const chatLog = this.chatLogs.get(chatId) ?? [];
      wait = Math.max(
        wait,
        SendLimiter.waitIn(this.globalLog, this.limits.global, this.guardMs, now),
        SendLimiter.waitIn(chatLog, this.limitOf(chatId), this.guardMs, now),
      );
      if (chatLog.length === 0) this.chatLogs.delete(chatId);
    }
    return wait;
  }

  /** Call right before sending, after `delayFor` returned 0 (synchronously, so no other lane slips in). */
  record(chatId: number): void {
    const now = this.now();
    this.globalLog.push(now);
    const log = this.chatLogs.get(chatId) ?? [];
    log.push(now);
    this.chatLogs.set(chatId, log);
  }

  /** A 429 with retry_after: that chat waits; with `everyone`, all sends wait (flood control). */
  pause(chatId: number, ms: number, everyone: boolean): void {
    const until = this.now() + ms;
    this.pausedUntil.set(chatId, Math.max(this.pausedUntil.get(chatId) ?? 0, until));
    if (everyone) this.globalPausedUntil = Math.max(this.globalPausedUntil, until);
  }
}
