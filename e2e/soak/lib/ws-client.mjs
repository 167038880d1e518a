// A resilient gateway client: hello, subscriptions resumed from the last seq it holds, jittered reconnects.
import { authHeader } from './http.mjs';
import { WebSocket } from './modules.mjs';

export const wsStats = {
  connects: 0,
  connectFailures: 0,
  closes: new Map(),
  errorFrames: new Map(),
  framesIn: 0,
  /** Commit-to-socket delay (ms) of every event frame: live ones and replays after a reconnect alike. */
  delays: [],
};

function bump(map, key) {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Everything a client received per ticket topic: seq -> count, the order it came in, and whether an
 * internal event ever reached it.
 */
class TopicLog {
  constructor() {
    this.counts = new Map();
    this.last = 0;
    this.outOfOrder = 0;
    this.internal = [];
  }

  record(seq, event) {
    this.counts.set(seq, (this.counts.get(seq) ?? 0) + 1);
    if (seq <= this.last) this.outOfOrder += 1;
    else this.last = seq;
    if (event.internal) this.internal.push(seq);
  }

  /** Highest seq held: the resume cursor. */
  get cursor() {
    return this.last;
  }
}

export class GatewayClient {
  /**
   * @param user initData user
   * @param urls gateway ws URLs (the client picks one at random, the other when it fails)
   * @param hooks {onEvent(topic, frame), onQueueResync(), onReady()}
   */
  constructor(user, urls, hooks = {}) {
    this.user = user;
    this.urls = urls;
    this.hooks = hooks;
    this.logs = new Map();
    this.wantQueue = false;
    this.socket = undefined;
    this.ready = false;
    this.stopped = false;
    this.attempt = 0;
    this.urlIndex = Math.floor(Math.random() * urls.length);
    this.reconnectTimer = undefined;
  }

  start() {
    this.connect();
  }

  /** Follows `ticket:<id>` from seq 0 (everything), or from what it holds after a reconnect. */
  subscribeTicket(ticketId) {
    const topic = `ticket:${ticketId}`;
    if (this.logs.has(topic)) return;
    this.logs.set(topic, new TopicLog());
    if (this.ready) this.send({ type: 'subscribe', topic, after: 0 });
  }

  subscribeQueue() {
    this.wantQueue = true;
    if (this.ready) this.send({ type: 'subscribe', topic: 'queue' });
  }

  send(frame) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  connect() {
    if (this.stopped) return;
    const url = this.urls[this.urlIndex % this.urls.length];
    const socket = new WebSocket(url, { handshakeTimeout: 5000 });
    this.socket = socket;
    this.ready = false;
    let opened = false;
    socket.on('open', () => {
      opened = true;
      wsStats.connects += 1;
      socket.send(JSON.stringify({ type: 'hello', initData: authHeader(this.user).slice(4) }));
    });
    socket.on('message', (data) => this.onFrame(data.toString('utf8')));
    socket.on('error', () => {
      // 'close' follows and decides
    });
    socket.on('close', (code) => {
      if (this.socket !== socket) return;
      this.ready = false;
      if (!opened) wsStats.connectFailures += 1;
      else bump(wsStats.closes, code);
      if (this.stopped) return;
      this.attempt += 1;
      // A failing gateway: try the other one next.
      this.urlIndex += 1;
      const base = Math.min(5000, 100 * 2 ** Math.min(this.attempt, 6));
      this.reconnectTimer = setTimeout(() => this.connect(), base / 2 + Math.random() * base);
    });
  }

  onFrame(text) {
    wsStats.framesIn += 1;
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      bump(wsStats.errorFrames, 'not_json');
      return;
    }
    switch (frame.type) {
      case 'ready':
        this.ready = true;
        this.attempt = 0;
        for (const [topic, log] of this.logs) this.send({ type: 'subscribe', topic, after: log.cursor });
        if (this.wantQueue) {
          this.send({ type: 'subscribe', topic: 'queue' });
          this.hooks.onQueueResync?.();
        }
        return;
      case 'event': {
        if (frame.topic === 'queue') {
          this.hooks.onQueueEvent?.(frame.event);
          return;
        }
        const log = this.logs.get(frame.topic);
        if (!log) {
          bump(wsStats.errorFrames, 'unsubscribed_topic');
          return;
        }
        log.record(frame.seq, frame.event);
        const created = Date.parse(frame.event?.createdAt ?? '');
        if (Number.isFinite(created)) wsStats.delays.push(Date.now() - created);
        this.hooks.onEvent?.(frame.event);
        return;
      }
      case 'resync_required':
        if (frame.topic === 'queue') this.hooks.onQueueResync?.();
        return;
      case 'error':
        bump(wsStats.errorFrames, `${frame.code}${frame.topic ? ` ${frame.topic.split(':')[0]}` : ''}`);
        return;
      default:
        return;
    }
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.terminate();
  }
}
