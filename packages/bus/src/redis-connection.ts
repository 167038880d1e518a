import type { Logger } from '@tikethet/config';
import { Cluster, Redis, type RedisOptions } from 'ioredis';

export interface ClusterNode {
  host: string;
  port: number;
}

/** Where Redis is: one server (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES`, which wins). */
export type RedisTarget = { url: string } | { clusterNodes: ClusterNode[] };

/** A client for keyed commands: rate limits and send limits take either. */
export type RedisClient = Redis | Cluster;

/** The target the environment names, if any: cluster nodes win over a URL. */
export function redisTarget(env: {
  REDIS_URL?: string | undefined;
  REDIS_CLUSTER_NODES?: ClusterNode[] | undefined;
}): RedisTarget | undefined {
  if (env.REDIS_CLUSTER_NODES && env.REDIS_CLUSTER_NODES.length > 0) {
    return { clusterNodes: env.REDIS_CLUSTER_NODES };
  }
  return env.REDIS_URL ? { url: env.REDIS_URL } : undefined;
}

export interface ConnectionSettings {
  /** Rejects any command (publish included) that gets no reply within this time. */
  commandTimeoutMs: number;
  /** Reconnect backoff cap; reconnection never gives up. */
  maxReconnectDelayMs: number;
}

/** Exponential backoff with jitter, capped: 50, 100, 200 ms … up to `maxMs`. */
export function reconnectDelay(attempt: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, 50 * 2 ** Math.min(Math.max(attempt - 1, 0), 16));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

function connectionOptions(name: string, settings: ConnectionSettings): RedisOptions {
  return {
    connectionName: name,
    retryStrategy: (attempt) => reconnectDelay(attempt, settings.maxReconnectDelayMs),
    commandTimeout: settings.commandTimeoutMs,
    connectTimeout: Math.max(settings.commandTimeoutMs, 1000),
    // A dropped connection to a hung server never sees the peer's FIN: destroy the socket soon.
    disconnectTimeout: 500,
    // A command waits for a reconnect at most one attempt (and never past commandTimeout) …
    maxRetriesPerRequest: 1,
    // … and is not resent after one: a late duplicate helps nobody, the relay redelivers.
    autoResendUnfulfilledCommands: false,
    // The bus subscribes itself on every `ready`, so it knows when the subscription is live.
    autoResubscribe: false,
  };
}

/** One ioredis connection that logs its errors once per outage instead of on every retry. */
export function openConnection(
  url: string,
  name: string,
  settings: ConnectionSettings,
  logger: Logger,
): Redis {
  const connection = new Redis(url, connectionOptions(name, settings));
  let failing = false;
  connection.on('error', (err: Error) => {
    if (failing) return;
    failing = true;
    logger.warn({ err: err.message, connection: name }, 'redis connection error; reconnecting');
  });
  connection.on('ready', () => {
    if (failing) logger.info({ connection: name }, 'redis connection restored');
    failing = false;
  });
  return connection;
}

/** QUIT when the server answers, otherwise just drop the socket; never hangs. */
export async function closeConnection(connection: Redis): Promise<void> {
  if (connection.status === 'ready') {
    try {
      await connection.quit();
      return;
    } catch {
      // fall through to a hard disconnect
    }
  }
  connection.disconnect();
}

/**
 * The client the API's rate limiter and the bot's shared send limits use: commands fail fast (no offline
 * queue, one retry) so that the callers fall back to counting in the process while Redis is away. On a
 * cluster a master's slots moving to its replica are followed (MOVED, slot refresh) by ioredis.
 */
export function openRedisClient(target: RedisTarget, name: string): RedisClient {
  const redisOptions: RedisOptions = { connectionName: name, maxRetriesPerRequest: 1 };
  if ('url' in target) return new Redis(target.url, { ...redisOptions, enableOfflineQueue: false });
  return new Cluster(target.clusterNodes, {
    redisOptions,
    enableOfflineQueue: false,
    clusterRetryStrategy: (attempt) => reconnectDelay(attempt, 2000),
    retryDelayOnClusterDown: 100,
    retryDelayOnFailover: 100,
    slotsRefreshTimeout: 1000,
  });
}
