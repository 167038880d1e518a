/** The shapes the Mini App's WebSocket client works with (see realtime.ts), and where the gateway is. */

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'unauthorized' | 'closed';

/** The part of the WebSocket API we use; the browser's WebSocket and `ws` both fit. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export interface EventFrame {
  type: 'event';
  topic: string;
  seq?: number;
  event: { type: string; ticketId?: number; seq?: number; data?: unknown; [key: string]: unknown };
}
/** Any frame the server sends; `event` frames carry a ticket event, others are transient (presence, typing…). */
export type ServerFrame =
  | EventFrame
  | { type: string; topic?: string; ticketId?: number; [key: string]: unknown };

export interface TopicHandler {
  /** Every new frame for the topic (events deduplicated; transient frames as they come). */
  onFrame(frame: ServerFrame): void;
  /**
   * Called after a reconnect once the topic is subscribed again, and on `resync_required`: the place to
   * re-read a snapshot over REST (the agents' queue does).
   */
  onResume?(): void;
  /** `{type:'error', code:'forbidden', topic}` for this topic. */
  onError?(frame: ServerFrame): void;
}

export interface RealtimeOptions {
  url: string;
  initData: string | (() => string);
  createSocket?: SocketFactory;
  /** Backoff: delay = min(maxDelayMs, baseDelayMs * 2^attempt) scaled by a jitter in [0.5, 1). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  typingIntervalMs?: number;
  /** Maximum remembered (ticketId, seq) pairs per topic. */
  dedupeWindow?: number;
}

/** `ws(s)://<origin>/ws` from an optional http(s)/ws(s) origin, else from the page's location. */
export function gatewayUrl(
  configured: string | undefined,
  location?: { protocol: string; host: string },
): string {
  if (configured) {
    const base = configured.replace(/\/$/, '').replace(/^http(s?):/, 'ws$1:');
    return base.endsWith('/ws') ? base : `${base}/ws`;
  }
  const loc = location ?? { protocol: 'http:', host: 'localhost' };
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/ws`;
}
