import type { TicketEvent } from '@tikethet/domain';
import { EVENT_PAGE, type EventReader } from './event-reader';

export interface TicketSubscriptionOptions {
  ticketId: number;
  customerId: number;
  /** The last seq already handled (the client's `after`, or the ticket's last seq for live-only). */
  cursor: number;
  read: EventReader;
  /** Called once per seq, in seq order, never twice. */
  deliver(event: TicketEvent): void;
  /**
   * The socket's flow control for what comes from the log (replays, gap reads): events are sent only while it
   * is `writable`, and the next page is read only after the last one went out, so a resume of any length
   * waits for a slow reader instead of overflowing its buffer.
   */
  pace?: { readonly writable: boolean; readonly closed: boolean; whenWritable(): Promise<void> };
  onReadError(error: unknown): void;
  retryDelayMs?: number;
}

/**
 * One socket's stream of one ticket: a cursor, live events held until they are next in line, and reads of
 * the log in Postgres whenever there is a gap (a replay, a lost wake-up, out-of-order publishes).
 */
export class TicketSubscription {
  readonly ticketId: number;
  readonly customerId: number;
  private cursorValue: number;
  private readonly pending = new Map<number, TicketEvent>();
  private wantRead = false;
  private running = false;
  private closed = false;
  private misses = 0;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: TicketSubscriptionOptions) {
    this.ticketId = options.ticketId;
    this.customerId = options.customerId;
    this.cursorValue = options.cursor;
  }

  get cursor(): number {
    return this.cursorValue;
  }

  /** A live event from the bus. */
  offer(event: TicketEvent): void {
    if (this.closed || event.seq <= this.cursorValue) return;
    if (event.seq === this.cursorValue + 1 && !this.running && this.pending.size === 0) {
      // The usual case: the next event, nothing held back. No bookkeeping beyond the cursor.
      this.cursorValue = event.seq;
      this.options.deliver(event);
      return;
    }
    this.pending.set(event.seq, event);
    if (event.seq === this.cursorValue + 1 && !this.running) {
      this.drain();
      if (this.pending.size === 0) return;
    }
    void this.pump();
  }

  /** Reads everything after the cursor from Postgres (subscribe with `after`, bus back up, sweep). */
  catchUp(): void {
    if (this.closed) return;
    this.wantRead = true;
    void this.pump();
  }

  close(): void {
    this.closed = true;
    this.pending.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }

  private drain(): void {
    for (;;) {
      const next = this.pending.get(this.cursorValue + 1);
      if (!next) return;
      this.pending.delete(next.seq);
      this.cursorValue = next.seq;
      this.options.deliver(next);
      if (this.closed) return;
    }
  }

  /** `drain` for the pump: waits whenever the socket is not `writable`, so it may take a while. */
  private async drainPaced(): Promise<void> {
    const pace = this.options.pace;
    for (;;) {
      const next = this.pending.get(this.cursorValue + 1);
      if (!next || this.closed) return;
      // A closed socket never drains: stop here (its release closes this subscription as well).
      if (pace?.closed) return this.close();
      if (pace && !pace.writable) {
        await pace.whenWritable();
        continue;
      }
      this.pending.delete(next.seq);
      this.cursorValue = next.seq;
      this.options.deliver(next);
    }
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (;;) {
        if (this.closed) return;
        await this.drainPaced();
        if (this.closed) return;
        if (!this.wantRead && this.pending.size === 0) return;
        this.wantRead = false;
        const before = this.cursorValue;
        const page = await this.options.read(this.ticketId, before);
        if (this.closed) return;
        for (const event of page) if (event.seq > this.cursorValue) this.pending.set(event.seq, event);
        await this.drainPaced();
        if (this.closed) return;
        if (page.length >= EVENT_PAGE) {
          this.wantRead = true;
        } else if (this.cursorValue === before && this.pending.size > 0) {
          // The log does not show the missing seq yet: retry briefly, then skip over it rather than stall.
          this.misses += 1;
          if (this.misses > 5) {
            this.misses = 0;
            this.cursorValue = Math.min(...this.pending.keys()) - 1;
          } else {
            await new Promise((resolve) => setTimeout(resolve, 20 * this.misses));
          }
        } else {
          this.misses = 0;
        }
      }
    } catch (error) {
      this.options.onReadError(error);
      this.wantRead = true;
      this.retryTimer = setTimeout(() => void this.pump(), this.options.retryDelayMs ?? 1000);
      this.retryTimer.unref();
    } finally {
      this.running = false;
    }
  }
}
