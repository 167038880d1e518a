import { createLogger, type Logger } from '@tikethet/config';
import type { Bus } from './contract';
import { createFanout } from './fanout';

export interface MemoryBusOptions {
  logger?: Logger;
}

/**
 * The in-process bus (used when `REDIS_URL` is unset). It behaves like the Redis bus: delivery is
 * asynchronous, every message travels as JSON and is validated on receipt, and `up` is reported
 * once the first handler is subscribed.
 */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const logger = options.logger ?? createLogger('bus:memory');
  const fanout = createFanout(logger);
  let closed = false;
  let subscribed = false;

  return {
    async publish(message) {
      if (closed) throw new Error('bus is closed');
      const raw = JSON.stringify(message);
      setImmediate(() => {
        if (!closed) fanout.deliver(raw);
      });
    },
    subscribe(handler) {
      if (closed) throw new Error('bus is closed');
      const off = fanout.addHandler(handler);
      if (!subscribed) {
        subscribed = true;
        queueMicrotask(() => {
          if (!closed) fanout.emitStatus('up');
        });
      }
      return off;
    },
    onStatus(listener) {
      return fanout.addStatusListener(listener);
    },
    get healthy() {
      return !closed;
    },
    async close() {
      closed = true;
      fanout.clear();
    },
  };
}
