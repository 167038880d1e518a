import type { Actor, Person } from '@tikethet/domain';
import WebSocket from 'ws';
import type { GatewayMetrics } from './metrics';
import { CloseCode } from './protocol';
import type { TicketSubscription } from './ticket-subscription';

export interface ConnectionLimits {
  maxBufferedBytes: number;
  framesPerSecond: number;
}

let nextConnectionId = 1;

/** One client socket: who it is (after hello), what it follows, and its send buffer and frame budget. */
export class Connection {
  readonly id = nextConnectionId++;
  actor: Actor | null = null;
  person: Person | null = null;
  alive = true;
  helloStarted = false;
  /** Frames are handled one after another, in arrival order. */
  work: Promise<void> = Promise.resolve();
  closed = false;
  /** Ticket topics by name, and whether the queue is followed. */
  readonly tickets = new Map<string, TicketSubscription>();
  queue = false;
  /** Topics whose subscribe is still being checked; a newer frame for the topic bumps the token. */
  readonly pendingTopics = new Map<string, number>();
  readonly lastTyping = new Map<number, number>();
  private tokens: number;
  private refilledAt = Date.now();

  constructor(
    readonly socket: WebSocket,
    private readonly limits: ConnectionLimits,
    private readonly metrics: GatewayMetrics,
  ) {
    this.tokens = limits.framesPerSecond * 5;
  }

  /** Takes one frame from the budget; false when the client floods. */
  takeFrameToken(now = Date.now()): boolean {
    const rate = this.limits.framesPerSecond;
    this.tokens = Math.min(rate * 5, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Sends a text frame (a string or pre-encoded UTF-8); closes the socket when its buffer is over the limit. */
  send(data: string | Buffer): boolean {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(data, { binary: false });
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CloseCode.tryAgainLater, 'slow consumer', 'slow_consumer');
      return false;
    }
    return true;
  }

  sendJson(frame: Record<string, unknown>): boolean {
    return this.send(JSON.stringify(frame));
  }

  /** Closes with a code; a socket that cannot flush its close frame is destroyed soon after. */
  close(code: number, reason: string, metricReason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.metrics.closes.inc({ reason: metricReason });
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      try {
        this.socket.close(code, reason);
      } catch {
        this.socket.terminate();
      }
      const timer = setTimeout(() => this.socket.terminate(), 1000);
      timer.unref();
      this.socket.once('close', () => clearTimeout(timer));
    }
  }

  terminate(metricReason: string): void {
    if (!this.closed) this.metrics.closes.inc({ reason: metricReason });
    this.closed = true;
    this.socket.terminate();
  }
}
