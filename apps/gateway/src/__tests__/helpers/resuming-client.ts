import WebSocket from 'ws';

/**
 * A Node client that behaves like the Mini App's: reconnects (to the next of several gateways), says hello,
 * resubscribes each ticket with `after` = the last seq it saw. Records every event frame it was ever sent,
 * so a test can check the server never sent a duplicate and left no gap.
 */
export class ResumingClient {
  /** Every (ticketId, seq) received, in arrival order, across all connections. */
  readonly received: Array<{ ticketId: number; seq: number; type: string }> = [];
  readonly cursors = new Map<number, number>();
  connects = 0;
  private socket: WebSocket | null = null;
  private stopped = false;
  private urlIndex = 0;

  constructor(
    private readonly urls: () => string[],
    private readonly initData: string,
    private readonly tickets: number[],
    start = 0,
  ) {
    this.urlIndex = start;
    for (const id of tickets) this.cursors.set(id, 0);
  }

  start(): void {
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.socket?.terminate();
  }

  private open(): void {
    if (this.stopped) return;
    const urls = this.urls();
    const url = urls[this.urlIndex % urls.length] ?? '';
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', initData: this.initData })));
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as {
        type: string;
        seq?: number;
        event?: { ticketId: number; type: string };
      };
      if (frame.type === 'ready') {
        this.connects += 1;
        for (const id of this.tickets) {
          socket.send(
            JSON.stringify({ type: 'subscribe', topic: `ticket:${id}`, after: this.cursors.get(id) ?? 0 }),
          );
        }
      } else if (frame.type === 'event' && frame.event && typeof frame.seq === 'number') {
        this.received.push({ ticketId: frame.event.ticketId, seq: frame.seq, type: frame.event.type });
        this.cursors.set(
          frame.event.ticketId,
          Math.max(this.cursors.get(frame.event.ticketId) ?? 0, frame.seq),
        );
      }
    });
    socket.on('close', () => {
      if (this.socket !== socket || this.stopped) return;
      this.urlIndex += 1;
      setTimeout(() => this.open(), 100 + Math.random() * 200);
    });
  }
}
