import WebSocket from 'ws';

export interface Client {
  socket: WebSocket;
  frames: Array<Record<string, unknown>>;
  closed: Promise<number>;
  next(
    predicate: (frame: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  send(frame: unknown): void;
}

/** A WebSocket client that keeps every frame it receives and the close code it got. */
export async function connect(url: string): Promise<Client> {
  const socket = new WebSocket(url);
  const frames: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    predicate: (f: Record<string, unknown>) => boolean;
    resolve: (f: Record<string, unknown>) => void;
  }> = [];
  socket.on('message', (data: WebSocket.RawData) => {
    const frame = JSON.parse(data.toString()) as Record<string, unknown>;
    frames.push(frame);
    for (const waiter of waiters.splice(0)) {
      if (waiter.predicate(frame)) waiter.resolve(frame);
      else waiters.push(waiter);
    }
  });
  const closed = new Promise<number>((resolve) => socket.once('close', (code: number) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    frames,
    closed,
    send: (frame) => socket.send(JSON.stringify(frame)),
    next(predicate, timeoutMs = 5000) {
      const seen = frames.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching frame; got ${JSON.stringify(frames)}`)),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (frame) => {
            clearTimeout(timer);
            resolve(frame);
          },
        });
      });
    },
  };
}
