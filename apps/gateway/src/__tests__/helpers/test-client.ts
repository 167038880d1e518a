import { CloseCode, ERROR_CODES, SERVER_FRAME_TYPES } from '@tikethet/protocol';
import WebSocket from 'ws';

export type Frame = { type: string; [key: string]: unknown };

const declaredFrames = new Set<string>(SERVER_FRAME_TYPES);
const declaredErrors = new Set<string>(ERROR_CODES);
// 1005/1006: what a client reports when the server sent no code (a dropped or terminated connection).
const declaredCloses = new Set<number>([...Object.values(CloseCode), 1005, 1006]);

/**
 * Every frame type, error code and close code any test client received that @tikethet/protocol does not
 * declare (declared-frames.ts fails each gateway test file that saw one).
 */
export const undeclared: string[] = [];

/** A plain test socket: records every frame and the close code; no reconnects. */
export class TestClient {
  readonly frames: Frame[] = [];
  closeCode: number | null = null;
  closeReason = '';
  /** The last socket error (e.g. "Unexpected server response: 503"). */
  error: string | null = null;
  readonly socket: WebSocket;
  private readonly opened: Promise<void>;
  private readonly closedPromise: Promise<number>;

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.socket = new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.opened.catch(() => undefined);
    this.socket.on('error', (err) => {
      this.error = err.message;
    });
    this.socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (!declaredFrames.has(frame.type)) undeclared.push(`frame ${frame.type}`);
      if (frame.type === 'error' && !declaredErrors.has(String(frame.code)))
        undeclared.push(`error ${frame.code}`);
      this.frames.push(frame);
    });
    this.closedPromise = new Promise((resolve) => {
      this.socket.once('close', (code, reason) => {
        this.closeCode = code;
        if (!declaredCloses.has(code)) undeclared.push(`close ${code}`);
        this.closeReason = reason.toString();
        resolve(code);
      });
    });
  }

  static async open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestClient> {
    const client = new TestClient(url, options);
    await client.opened;
    return client;
  }

  /** Opens, says hello, waits for `ready`. */
  static async ready(
    url: string,
    initData: string,
    options: WebSocket.ClientOptions = {},
  ): Promise<TestClient> {
    const client = await TestClient.open(url, options);
    client.send({ type: 'hello', initData });
    await client.next((f) => f.type === 'ready');
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Subscribes and waits for the `subscribed` or `error` answer for the topic. */
  async subscribe(topic: string, after?: number): Promise<Frame> {
    const from = this.frames.length;
    this.send(after === undefined ? { type: 'subscribe', topic } : { type: 'subscribe', topic, after });
    return this.next((f) => (f.type === 'subscribed' || f.type === 'error') && f.topic === topic, from);
  }

  /** Resolves with the first frame (from index `from`) that matches. */
  async next(match: (frame: Frame) => boolean, from = 0, timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(match);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames.slice(-5))}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  events(
    topic?: string,
  ): Array<{ topic: string; seq: number; event: { type: string; [k: string]: unknown } }> {
    return this.frames
      .filter((f) => f.type === 'event' && (topic === undefined || f.topic === topic))
      .map((f) => f as unknown as { topic: string; seq: number; event: { type: string } });
  }

  /** The close code; rejects when the socket is still open after `timeoutMs`. */
  closed(timeoutMs = 10_000): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    });
    return Promise.race([this.closedPromise, late]).finally(() => clearTimeout(timer));
  }

  close(): void {
    this.socket.close();
  }

  terminate(): void {
    this.socket.terminate();
  }
}
