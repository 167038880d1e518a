import type { Logger } from '@tikethet/config';
import { type BusMessage, busMessageSchema } from '@tikethet/domain';

export type BusHandler = (message: BusMessage) => void;
export type BusStatus = 'up' | 'down';
export type StatusListener = (status: BusStatus) => void;

/**
 * Handlers and status listeners shared by every bus implementation: parses what arrives on the wire,
 * logs and drops what does not parse, and keeps one throwing handler from starving the others.
 */
export interface Fanout {
  addHandler(handler: BusHandler): () => void;
  addStatusListener(listener: StatusListener): () => void;
  readonly handlerCount: number;
  /** Parses one raw wire payload and hands it to every handler. */
  deliver(raw: string): void;
  emitStatus(status: BusStatus): void;
  clear(): void;
}

export function parseBusMessage(raw: string, logger: Logger): BusMessage | undefined {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    logger.warn({ raw: raw.slice(0, 200) }, 'bus message is not JSON; dropped');
    return undefined;
  }
  const parsed = busMessageSchema.safeParse(json);
  if (!parsed.success) {
    logger.warn(
      { issues: parsed.error.issues.slice(0, 5), raw: raw.slice(0, 200) },
      'invalid bus message; dropped',
    );
    return undefined;
  }
  return parsed.data;
}

function callSafely<T>(fn: (value: T) => unknown, value: T, logger: Logger, what: string): void {
  try {
    const result = fn(value);
    if (result instanceof Promise) {
      result.catch((err: unknown) => logger.error({ err }, `${what} rejected`));
    }
  } catch (err) {
    logger.error({ err }, `${what} threw`);
  }
}

export function createFanout(logger: Logger): Fanout {
  const handlers = new Set<BusHandler>();
  const listeners = new Set<StatusListener>();
  return {
    addHandler(handler) {
      // Wrapped so the same function subscribed twice gets two independent subscriptions.
      const entry: BusHandler = (message) => handler(message);
      handlers.add(entry);
      return () => {
        handlers.delete(entry);
      };
    },
    addStatusListener(listener) {
      const entry: StatusListener = (status) => listener(status);
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    get handlerCount() {
      return handlers.size;
    },
    deliver(raw) {
      if (handlers.size === 0) return;
      const message = parseBusMessage(raw, logger);
      if (!message) return;
      for (const handler of [...handlers]) callSafely(handler, message, logger, 'bus handler');
    },
    emitStatus(status) {
      for (const listener of [...listeners]) callSafely(listener, status, logger, 'bus status listener');
    },
    clear() {
      handlers.clear();
      listeners.clear();
    },
  };
}
