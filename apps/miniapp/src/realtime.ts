/**
 * The Mini App's WebSocket client (ARCHITECTURE §12), free of React so it can be tested against a real `ws` server.
 *
 * - first frame `{type:'hello', initData}`; topics are (re)subscribed after `{type:'ready'}`;
 * - reconnects with jittered exponential backoff; stops on 4401 (`CloseCode.unauthorized`: bad initData);
 * - resumes each `ticket:<id>` topic with `after` = the last seq seen for that ticket;
 * - drops duplicate events by (ticketId, seq) per topic;
 * - `typing` frames are throttled per ticket (a note's typing separately from a reply's).
 */

import { CloseCode, ticketIdOfTopic, ticketTopic } from '@tikethet/protocol';
import type {
  ConnectionState,
  EventFrame,
  RealtimeOptions,
  ServerFrame,
  SocketFactory,
  SocketLike,
  TopicHandler,
} from './realtime-types';

export * from './realtime-types';

const OPEN = 1;

interface TopicState {
  handlers: Set<TopicHandler>;
  seen: Set<string>;
  subscribed: boolean;
}

export { ticketTopic };

export class RealtimeClient {
  private socket: SocketLike | null = null;
  private stateValue: ConnectionState = 'idle';
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly readyListeners = new Set<(user: unknown) => void>();
  private readonly topics = new Map<string, TopicState>();
  /** Highest seq seen per ticket id (the resume cursor). */
  private readonly cursors = new Map<number, number>();
  private readonly lastTyping = new Map<string, number>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private everReady = false;
  private stopped = true;
  private readonly createSocket: SocketFactory;

  constructor(private readonly options: RealtimeOptions) {
    this.createSocket =
      options.createSocket ??
      ((url) => {
        const Ctor = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
        if (!Ctor) throw new Error('WebSocket is not available');
        return new Ctor(url);
      });
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onReady(listener: (user: unknown) => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  connect(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  close(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      // Closing a socket that is still connecting reports an error (Node's ws emits it as an event): swallow it.
      socket.onerror = () => undefined;
      try {
        socket.close(1000, 'bye');
      } catch {
        // already closed
      }
    }
    this.setState('closed');
  }

  /** The resume cursor for a ticket; REST loads advance it so the replay starts after what is shown. */
  cursor(ticketId: number): number | undefined {
    return this.cursors.get(ticketId);
  }

  setCursor(ticketId: number, seq: number): void {
    if (seq > (this.cursors.get(ticketId) ?? -1)) this.cursors.set(ticketId, seq);
  }

  /** Subscribes to a topic (`queue`, `ticket:<id>`); `after` seeds the ticket cursor. Returns unsubscribe. */
  subscribe(topic: string, handler: TopicHandler, opts: { after?: number } = {}): () => void {
    const ticketId = ticketIdOfTopic(topic);
    if (ticketId !== null && opts.after !== undefined) this.setCursor(ticketId, opts.after);
    let state = this.topics.get(topic);
    if (!state) {
      state = { handlers: new Set(), seen: new Set(), subscribed: false };
      this.topics.set(topic, state);
    }
    state.handlers.add(handler);
    if (!state.subscribed && this.stateValue === 'open') this.sendSubscribe(topic, state);
    return () => {
      const current = this.topics.get(topic);
      if (!current) return;
      current.handlers.delete(handler);
      if (current.handlers.size === 0) {
        this.topics.delete(topic);
        if (current.subscribed && this.stateValue === 'open') this.send({ type: 'unsubscribe', topic });
      }
    };
  }

  /**
   * Tells others this user is typing on a ticket (at most once per `typingIntervalMs`). `internal`: an agent
   * writing a note, which the gateway relays to staff only (the customer must not see «печатает…» for it).
   */
  typing(ticketId: number, internal = false): void {
    const now = Date.now();
    const interval = this.options.typingIntervalMs ?? 3000;
    const key = `${ticketId}:${internal ? 'note' : 'reply'}`;
    if (now - (this.lastTyping.get(key) ?? 0) < interval) return;
    if (this.send(internal ? { type: 'typing', ticketId, internal } : { type: 'typing', ticketId }))
      this.lastTyping.set(key, now);
  }

  private setState(state: ConnectionState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private send(frame: unknown): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  private initData(): string {
    const v = this.options.initData;
    return typeof v === 'function' ? v() : v;
  }

  private open(): void {
    if (this.stopped) return;
    this.setState(this.everReady ? 'reconnecting' : 'connecting');
    let socket: SocketLike;
    try {
      socket = this.createSocket(this.options.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    for (const state of this.topics.values()) state.subscribed = false;
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: 'hello', initData: this.initData() }));
    };
    socket.onmessage = (ev) => this.handleMessage(ev.data);
    socket.onerror = () => {
      // onclose follows and decides.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      for (const state of this.topics.values()) state.subscribed = false;
      if (ev.code === CloseCode.unauthorized) {
        this.stopped = true;
        this.setState('unauthorized');
        return;
      }
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    this.setState(this.everReady ? 'reconnecting' : 'connecting');
    const base = this.options.baseDelayMs ?? 500;
    const max = this.options.maxDelayMs ?? 15_000;
    const random = this.options.random ?? Math.random;
    const delay = Math.min(max, base * 2 ** this.attempt) * (0.5 + random() * 0.5);
    this.attempt = Math.min(this.attempt + 1, 16);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }

  private sendSubscribe(topic: string, state: TopicState): void {
    const ticketId = ticketIdOfTopic(topic);
    const after = ticketId === null ? undefined : this.cursors.get(ticketId);
    const frame: Record<string, unknown> = { type: 'subscribe', topic };
    if (after !== undefined) frame.after = after;
    if (this.send(frame)) state.subscribed = true;
  }

  private handleMessage(data: unknown): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : String(data)) as ServerFrame;
    } catch {
      return;
    }
    if (!frame || typeof frame !== 'object' || typeof frame.type !== 'string') return;
    switch (frame.type) {
      case 'ready': {
        const resumed = this.everReady;
        this.everReady = true;
        this.attempt = 0;
        this.setState('open');
        for (const [topic, state] of this.topics) this.sendSubscribe(topic, state);
        for (const listener of this.readyListeners) listener((frame as { user?: unknown }).user);
        if (resumed) {
          for (const state of this.topics.values()) for (const h of [...state.handlers]) h.onResume?.();
        }
        return;
      }
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'error': {
        const state = frame.topic ? this.topics.get(frame.topic) : undefined;
        if (state) for (const h of [...state.handlers]) h.onError?.(frame);
        return;
      }
      case 'resync_required': {
        const state = frame.topic ? this.topics.get(frame.topic) : undefined;
        if (state) for (const h of [...state.handlers]) h.onResume?.();
        return;
      }
      case 'event':
        this.handleEvent(frame as EventFrame);
        return;
      default:
        this.routeTransient(frame);
    }
  }

  private handleEvent(frame: EventFrame): void {
    const event = frame.event ?? {};
    const topic = frame.topic ?? (typeof event.ticketId === 'number' ? ticketTopic(event.ticketId) : '');
    const state = this.topics.get(topic);
    const seq =
      typeof frame.seq === 'number' ? frame.seq : typeof event.seq === 'number' ? event.seq : undefined;
    const ticketId = typeof event.ticketId === 'number' ? event.ticketId : ticketIdOfTopic(topic);
    if (seq !== undefined && ticketId !== null) {
      if (!state) return;
      const key = `${ticketId}:${seq}`;
      const topicTicket = ticketIdOfTopic(topic);
      // On a ticket topic the cursor is authoritative: anything at or below it was already shown.
      if (
        topicTicket !== null &&
        seq <= (this.cursors.get(topicTicket) ?? 0) &&
        this.cursors.has(topicTicket)
      )
        return;
      if (state.seen.has(key)) return;
      state.seen.add(key);
      const window = this.options.dedupeWindow ?? 5000;
      if (state.seen.size > window) {
        const oldest = state.seen.values().next().value;
        if (oldest !== undefined) state.seen.delete(oldest);
      }
      if (topicTicket !== null) this.setCursor(topicTicket, seq);
    }
    if (!state) return;
    for (const h of [...state.handlers]) h.onFrame(frame);
  }

  /** presence / typing / delivery and the like: route by `topic`, else by `ticketId`. */
  private routeTransient(frame: ServerFrame): void {
    const ticketId = (frame as { ticketId?: unknown }).ticketId;
    const topic = frame.topic ?? (typeof ticketId === 'number' ? ticketTopic(ticketId) : undefined);
    if (!topic) return;
    const state = this.topics.get(topic);
    if (!state) return;
    for (const h of [...state.handlers]) h.onFrame(frame);
  }
}
