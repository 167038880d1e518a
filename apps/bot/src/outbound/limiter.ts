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

/** One send in a window log: `at` is when its call completed, Infinity while it is in flight. */
interface Slot {
  at: number;
}

export interface SendTicket {
  /** Call when the Bot API answered (or the call failed): the send counts from then on. */
  done(): void;
}

/** What the outbound queue asks before each call: this process's limiter, or one shared through Redis. */
export interface SendGate {
  /**
   * A ticket when the call may go now (its slot is taken, atomically), else how long to wait before asking
   * again. Messages count against the limits; other calls (e.g. answerCallbackQuery) only obey pauses.
   */
  acquire(chatId: number, counts: boolean): Promise<{ waitMs: number; ticket?: SendTicket }>;
  /** A 429 with retry_after: that chat waits; with `everyone`, all sends wait (flood control). */
  pause(chatId: number, ms: number, everyone: boolean): void;
}

const NOTHING_COUNTED: SendTicket = { done: () => undefined };

/**
 * Sliding-window logs of the sends (global and per chat) plus pauses ordered by Telegram's retry_after.
 * A send counts from its start until `windowMs` after its answer: whatever the network does to the
 * arrival times, no window on Telegram's side can hold more than `limit` of them.
 */
export class SendLimiter implements SendGate {
  private readonly globalLog: Slot[] = [];
  private readonly chatLogs = new Map<number, Slot[]>();
  private readonly pausedUntil = new Map<number, number>();
  private globalPausedUntil = 0;

  constructor(
    readonly limits: SendLimits,
    /** Added to every window: a send leaves the log only this much after Telegram's window would let it. */
    readonly guardMs = 10,
    private readonly now: () => number = Date.now,
    /** How soon to look again when the window is full of calls still in flight. */
    readonly inFlightPollMs = 20,
  ) {}

  /** The limit of a chat's own log: groups (negative ids) per minute, private chats per second. */
  limitOf(chatId: number): WindowLimit {
    return chatId < 0 ? this.limits.group : this.limits.privateChat;
  }

  /** How long a send stays in a log with this limit (its window plus the guard). */
  spanOf({ windowMs }: WindowLimit): number {
    return windowMs + this.guardMs;
  }

  private waitIn(log: Slot[], window: WindowLimit, now: number): number {
    const { limit } = window;
    const span = this.spanOf(window);
    for (let i = log.length - 1; i >= 0; i -= 1) {
      if ((log[i]?.at ?? 0) <= now - span) log.splice(i, 1);
    }
    if (log.length < limit) return 0;
    const finished = log
      .map((slot) => slot.at)
      .filter((at) => Number.isFinite(at))
      .sort((a, b) => a - b);
    const mustLeave = log.length - limit + 1;
    const leaving = finished[mustLeave - 1];
    return leaving === undefined ? this.inFlightPollMs : Math.max(1, leaving + span - now);
  }

  /** Milliseconds to wait before this send may go; 0: go now. Messages count; other calls only obey pauses. */
  delayFor(chatId: number, counts: boolean): number {
    const now = this.now();
    let wait = Math.max(0, this.globalPausedUntil - now, (this.pausedUntil.get(chatId) ?? 0) - now);
    if (counts) {
      const chatLog = this.chatLogs.get(chatId) ?? [];
      wait = Math.max(
        wait,
        this.waitIn(this.globalLog, this.limits.global, now),
        this.waitIn(chatLog, this.limitOf(chatId), now),
      );
      if (chatLog.length === 0) this.chatLogs.delete(chatId);
    }
    return wait;
  }

  /** Call right before a counted send, after `delayFor` returned 0 (synchronously, so no other lane slips in). */
  record(chatId: number): SendTicket {
    const slot: Slot = { at: Number.POSITIVE_INFINITY };
    this.globalLog.push(slot);
    const log = this.chatLogs.get(chatId) ?? [];
    log.push(slot);
    this.chatLogs.set(chatId, log);
    return {
      done: () => {
        slot.at = this.now();
      },
    };
  }

  async acquire(chatId: number, counts: boolean): Promise<{ waitMs: number; ticket?: SendTicket }> {
    const waitMs = this.delayFor(chatId, counts);
    if (waitMs > 0) return { waitMs };
    return { waitMs: 0, ticket: counts ? this.record(chatId) : NOTHING_COUNTED };
  }

  /** A 429 with retry_after: that chat waits; with `everyone`, all sends wait (flood control). */
  pause(chatId: number, ms: number, everyone: boolean): void {
    const until = this.now() + ms;
    this.pausedUntil.set(chatId, Math.max(this.pausedUntil.get(chatId) ?? 0, until));
    if (everyone) this.globalPausedUntil = Math.max(this.globalPausedUntil, until);
  }
}
