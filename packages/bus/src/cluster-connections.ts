import type { Logger } from '@tikethet/config';
import type { BusMessage } from '@tikethet/domain';
import { Cluster, Redis } from 'ioredis';
import { type ClusterNode, reconnectDelay } from './redis-connection';
import { channelOf } from './shards';

/** The cluster client every SPUBLISH goes through: bounded waits, one retry, slots refreshed on failover. */
export function openClusterPublisher(
  nodes: ClusterNode[],
  commandTimeout: number,
  maxDelay: number,
  logger: Logger,
): Cluster {
  const publisher = new Cluster(nodes, {
    redisOptions: {
      connectionName: 'tikethet-bus-pub',
      commandTimeout,
      connectTimeout: Math.max(commandTimeout, 1000),
      maxRetriesPerRequest: 1,
    },
    clusterRetryStrategy: (attempt) => reconnectDelay(attempt, maxDelay),
    retryDelayOnClusterDown: 100,
    retryDelayOnFailover: 100,
    slotsRefreshTimeout: 1000,
  });
  publisher.on('error', (err: Error) => logger.debug({ err: err.message }, 'cluster publisher error'));
  return publisher;
}

/** Whether the cluster client is ready, waiting up to `timeoutMs` for it. */
export async function publisherReady(publisher: Cluster, timeoutMs: number): Promise<boolean> {
  if (publisher.status === 'ready') return true;
  if (publisher.status === 'end') return false;
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    function done(ok: boolean) {
      clearTimeout(timer);
      publisher.off('ready', onReady);
      resolve(ok);
    }
    const onReady = () => done(true);
    publisher.on('ready', onReady);
  });
}

/** SPUBLISHes go to the channel's master; a batch goes as one pipeline per channel (one slot each). */
export async function publishMany(
  publisher: Cluster,
  messages: BusMessage[],
): Promise<Array<PromiseSettledResult<void>>> {
  const groups = new Map<string, number[]>();
  messages.forEach((message, i) => {
    const channel = channelOf(message);
    groups.set(channel, [...(groups.get(channel) ?? []), i]);
  });
  const results: Array<PromiseSettledResult<void>> = messages.map(() => ({
    status: 'rejected',
    reason: new Error('no reply'),
  }));
  await Promise.all(
    [...groups].map(async ([channel, indexes]) => {
      const pipeline = publisher.pipeline(
        indexes.map((i) => ['spublish', channel, JSON.stringify(messages[i])]),
      );
      try {
        const replies = (await pipeline.exec()) ?? [];
        indexes.forEach((index, j) => {
          const error = replies[j]?.[0] ?? (replies[j] ? null : new Error('no reply'));
          results[index] = error
            ? { status: 'rejected', reason: error }
            : { status: 'fulfilled', value: undefined };
        });
      } catch (error) {
        for (const index of indexes) results[index] = { status: 'rejected', reason: error };
      }
    }),
  );
  return results;
}

/**
 * A subscriber connection to one cluster node (`host:port`). A node that goes away is not redialled: its slots
 * may have moved, so the caller places its channels again.
 */
export function openNodeConnection(key: string, commandTimeout: number): Redis {
  const [host, port] = [key.slice(0, key.lastIndexOf(':')), Number(key.slice(key.lastIndexOf(':') + 1))];
  return new Redis({
    host,
    port,
    connectionName: 'tikethet-bus-sub',
    commandTimeout,
    connectTimeout: Math.max(commandTimeout, 1000),
    // A node that goes away is not redialled: its slots may have moved, so the channels are placed again.
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    autoResubscribe: false,
    autoResendUnfulfilledCommands: false,
    disconnectTimeout: 500,
  });
}
