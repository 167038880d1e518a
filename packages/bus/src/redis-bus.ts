import { createLogger, type Logger } from '@tikethet/config';
import type { Redis } from 'ioredis';
import type { Bus } from './contract';
import { createFanout } from './fanout';
import { closeConnection, openConnection } from './redis-connection';

export const DEFAULT_BUS_CHANNEL = 'tikethet:bus';

export interface RedisBusOptions {
  url: string;
  channel?: string;
  logger?: Logger;
  /** Publish (and every other command) rejects after this long without a reply. Default 2000. */
  publishTimeoutMs?: number;
  /** How often both connections are PINGed so a hung server is noticed. Default 5000. */
  healthCheckIntervalMs?: number;
  /** Reconnect backoff cap. Default 2000. */
  maxReconnectDelayMs?: number;
}

/**
 * Redis pub/sub bus: one publisher connection, and (from the first `subscribe()`) one subscriber
 * connection holding exactly one SUBSCRIBE however many handlers there are. Reconnects forever; after
 * every (re)subscription it reports `up`, on losing it `down`, so receivers can catch up from Postgres.
 */
export function createRedisBus(options: RedisBusOptions): Bus {
  const channel = options.channel ?? DEFAULT_BUS_CHANNEL;
  const logger = (options.logger ?? createLogger('bus:redis')).child({ channel });
  const settings = {
    commandTimeoutMs: options.publishTimeoutMs ?? 2000,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 2000,
  };
  const fanout = createFanout(logger);
  const publisher = openConnection(options.url, 'tikethet-bus-pub', settings, logger);
  let subscriber: Redis | undefined;
  let subscribed = false;
  let closed = false;

  function subscriptionLost(): void {
    if (!subscribed) return;
    subscribed = false;
    if (closed) return;
    logger.warn('bus subscription lost');
    fanout.emitStatus('down');
  }

  function openSubscriber(): Redis {
    const connection = openConnection(options.url, 'tikethet-bus-sub', settings, logger);
    let epoch = 0;
    connection.on('ready', () => {
      const mine = ++epoch;
      connection.subscribe(channel).then(
        () => {
          if (closed || mine !== epoch) return;
          subscribed = true;
          logger.info('bus subscribed');
          fanout.emitStatus('up');
        },
        (err: unknown) => {
          if (closed || mine !== epoch) return;
          logger.warn({ err }, 'SUBSCRIBE failed; reconnecting');
          connection.disconnect(true);
        },
      );
    });
    connection.on('close', () => {
      epoch++;
      subscriptionLost();
    });
    connection.on('message', (from: string, raw: string) => {
      if (from === channel) fanout.deliver(raw);
    });
    return connection;
  }

  const probing = new WeakSet<Redis>();
  /** A connection that stopped answering (a hung server keeps the socket open) is dropped and redialled. */
  function probe(connection: Redis, name: string, onDead?: () => void): void {
    if (connection.status !== 'ready' || probing.has(connection)) return;
    probing.add(connection);
    connection
      .ping()
      .catch((err: unknown) => {
        if (closed || connection.status !== 'ready') return;
        logger.warn({ err, connection: name }, 'redis PING failed; reconnecting');
        onDead?.();
        connection.disconnect(true);
      })
      .finally(() => probing.delete(connection));
  }

  const healthTimer = setInterval(() => {
    probe(publisher, 'publisher');
    if (subscriber) probe(subscriber, 'subscriber', subscriptionLost);
  }, options.healthCheckIntervalMs ?? 5000);
  healthTimer.unref();

  return {
    async publish(message) {
      if (closed) throw new Error('bus is closed');
      await publisher.publish(channel, JSON.stringify(message));
    },
    // A pipeline: a batch of committed events leaves in one write (one syscall, not one each), while a
    // single publish above goes out at once.
    async publishMany(messages) {
      if (closed) throw new Error('bus is closed');
      const pipeline = publisher.pipeline(messages.map((m) => ['publish', channel, JSON.stringify(m)]));
      try {
        const replies = (await pipeline.exec()) ?? [];
        return messages.map((_, i): PromiseSettledResult<void> => {
          const error = replies[i]?.[0] ?? (replies[i] ? null : new Error('no reply'));
          return error ? { status: 'rejected', reason: error } : { status: 'fulfilled', value: undefined };
        });
      } catch (error) {
        return messages.map((): PromiseSettledResult<void> => ({ status: 'rejected', reason: error }));
      }
    },
    subscribe(handler) {
      if (closed) throw new Error('bus is closed');
      const off = fanout.addHandler(handler);
      subscriber ??= openSubscriber();
      return off;
    },
    onStatus(listener) {
      return fanout.addStatusListener(listener);
    },
    get healthy() {
      return !closed && publisher.status === 'ready' && (subscriber === undefined || subscribed);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(healthTimer);
      fanout.clear();
      await Promise.all([closeConnection(publisher), subscriber ? closeConnection(subscriber) : undefined]);
    },
  };
}
