import type { Actor, Person } from '@tikethet/domain';
import type { CloseCodeValue, ServerFrame } from '@tikethet/protocol';
import WebSocket from 'ws';
import { watchDrain } from './drain-watch';
import { encodeFrame } from './frames';
import type { GatewayMetrics } from './metrics';
import { PING_SLICES } from './ping';
import { CloseCode } from './protocol';
import type { TicketSubscription } from './ticket-subscription';

export interface ConnectionLimits {
  maxBufferedBytes: number;
  framesPerSecond: number;
}

/** What a socket follows; created on its first subscribe or typing frame (an idle socket holds none of it). */
interface Follows {
  /** Ticket topics by name. */
  readonly tickets: Map<string, TicketSubscription>;
  /** Topics whose subscribe is still being checked; a newer frame for the topic bumps the token. */
  readonly pendingTopics: Map<string, number>;
  readonly lastTyping: Map<number, number>;
}

let nextPingSlot = 0;

const NO_TICKETS: ReadonlyMap<string, TicketSubscription> = new Map();
const TEXT = { binary: false } as const;
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * One client socket: who it is (after hello), what it follows, and its send buffer and frame budget.
 * Kept small: tens of thousands of idle sockets each hold one of these and nothing else of the gateway's.
 */
export class Connection {
  /** Which tick of the ping interval pings this socket (sockets are pinged in groups, see ping.ts). */
  readonly pingSlot = nextPingSlot++ % PING_SLICES;
  actor: Actor | null = null;
  person: Person | null = null;
  alive = true;
  helloStarted = false;
  /** When hello made this socket ready (ms); its role was read from Postgres no later than that. */
  readyAt = 0;
  closed = false;
  queue = false;
  /** Frames are handled one after another, in arrival order; unset while nothing is queued. */
  private work: Promise<void> | undefined;
  private follows: Follows | undefined;
  private tokens: number;
  private refilledAt = Date.now();
  /** Replays waiting for the buffer to drain; unset while none waits. */
  private drainWaiters: Array<() => void> | undefined;

  constructor(
    readonly socket: WebSocket,
    private readonly limits: ConnectionLimits,
    private readonly metrics: GatewayMetrics,
    /** The client's address (TRUST_PROXY_HOPS applied), the key of the per-address socket cap. */
    readonly address = '',
  ) {
    this.tokens = limits.framesPerSecond * 5;
  }

  /** Ticket topics by name (empty until the first subscribe). */
  get tickets(): ReadonlyMap<string, TicketSubscription> {
    return this.follows?.tickets ?? NO_TICKETS;
  }

  /** The socket's follow state, created on first use. */
  followState(): Follows {
    this.follows ??= { tickets: new Map(), pendingTopics: new Map(), lastTyping: new Map() };
    return this.follows;
  }

  /** Forgets every follow (the socket closed). */
  dropFollows(): void {
    this.follows = undefined;
  }

  /** Runs `task` after the frames before it; the queue is dropped once it is empty. */
  enqueue(task: () => Promise<void>, onError: (err: unknown) => void): void {
    const next: Promise<void> = (this.work ?? RESOLVED).then(task).catch(onError);
    this.work = next;
    next.then(() => {
      if (this.work === next) this.work = undefined;
    });
  }

  /** True while frames are queued or being handled. */
  get busy(): boolean {
    return this.work !== undefined;
  }

  ping(): void {
    this.socket.ping();
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
    this.socket.send(data, TEXT);
    if (this.socket.bufferedAmount > this.limits.maxBufferedBytes) {
      this.close(CloseCode.tryAgainLater, 'slow consumer', 'slow_consumer');
      return false;
    }
    return true;
  }

  /**
   * True while a replay may send more: the unsent buffer is under half of MAX_BUFFERED_BYTES, so paced
   * replays never bring a socket near the slow-consumer limit that live frames are held to.
   */
  get writable(): boolean {
    return this.socket.bufferedAmount < this.limits.maxBufferedBytes / 2;
  }

  /** Resolves once the socket is `writable` again (or closed): a replay sends its next frames then. */
  whenWritable(): Promise<void> {
    if (this.drained) return RESOLVED;
    return new Promise((resolve) => {
      if (this.drainWaiters) {
        this.drainWaiters.push(resolve);
        return;
      }
      this.drainWaiters = [resolve];
      watchDrain(this);
    });
  }

  /** For the drain watcher: true once waiting replays may go on. */
  get drained(): boolean {
    return this.closed || this.writable;
  }

  /** For the drain watcher: lets the waiting replays go on. */
  wake(): void {
    const waiters = this.drainWaiters ?? [];
    this.drainWaiters = undefined;
    for (const resolve of waiters) resolve();
  }

  sendJson(frame: ServerFrame): boolean {
    return this.send(encodeFrame(frame));
  }

  /** Closes with a code; a socket that cannot flush its close frame is destroyed soon after. */
  close(code: CloseCodeValue, reason: string, metricReason: string): void {
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
