import { createLogger, type Logger } from '@tikethet/config';
import type { Redis } from 'ioredis';
import { openClusterPublisher, openNodeConnection, publisherReady, publishMany } from './cluster-connections';
import type { Bus, BusFollow } from './contract';
import { createFanout } from './fanout';
import { type ClusterNode, closeConnection, reconnectDelay } from './redis-connection';
import { ALL_SHARD_CHANNELS, CONTROL_CHANNEL, channelOf, hashSlot, shardChannel, shardOf } from './shards';

export interface ShardedBusOptions {
  nodes: ClusterNode[];
  logger?: Logger;
  /** Publish (and every other command) rejects after this long without a reply. Default 2000. */
  publishTimeoutMs?: number;
  /** How often the subscriber connections are PINGed. Default 5000. */
  healthCheckIntervalMs?: number;
  /** Backoff cap while a shard cannot be subscribed. Default 2000. */
  maxReconnectDelayMs?: number;
}

/** One subscriber connection to one cluster node and the shard channels it holds there. */
interface NodeSubscriber {
  key: string;
  connection: Redis;
  /** Channels whose SSUBSCRIBE this node confirmed. */
  live: Set<string>;
  /** Channels asked for and not yet confirmed. */
  asking: Set<string>;
}

/**
 * The bus on Redis Cluster (ARCHITECTURE, "Growing past one machine"): ticket messages are SPUBLISHed on
 * `tikethet:ev:{n}` (n = ticket id mod BUS_SHARDS), role changes on `tikethet:ctl`. A sharded channel lives on
 * the master owning its slot, so each channel adds load to one node only, and a process SSUBSCRIBEs (one
 * connection per node it needs) only to the shards its subscribers need: every shard for an `all`
 * subscriber, the followed tickets' shards otherwise. A lost node connection reports `down`; once every
 * wanted shard is subscribed again (on the replica that took the slots over) it reports `up`, so receivers
 * catch up from Postgres exactly as with one Redis.
 */
export function createShardedBus(options: ShardedBusOptions): Bus {
  const logger = options.logger ?? createLogger('bus:cluster');
  const commandTimeout = options.publishTimeoutMs ?? 2000;
  const maxDelay = options.maxReconnectDelayMs ?? 2000;
  const fanout = createFanout(logger);
  const publisher = openClusterPublisher(options.nodes, commandTimeout, maxDelay, logger);

  let closed = false;
  /** Subscribers that want every ticket (handlers without `followed`, and `follow('all')`). */
  let wantAll = 0;
  let handlers = 0;
  /** Followed channel -> how many follows hold it. */
  const followed = new Map<string, number>();
  const subscribers = new Map<string, NodeSubscriber>();
  /** Channels waiting to be live, with what to tell their follows. */
  const waiting = new Map<string, Array<(state: 'subscribed') => void>>();
  let up = false;
  let everUp = false;
  let attempt = 0;
  let reconcileTimer: NodeJS.Timeout | undefined;
  let reconciling = false;
  let again = false;

  function wanted(): Set<string> {
    if (handlers === 0) return new Set();
    const channels = new Set<string>([CONTROL_CHANNEL]);
    if (wantAll > 0) for (const channel of ALL_SHARD_CHANNELS) channels.add(channel);
    for (const channel of followed.keys()) channels.add(channel);
    return channels;
  }

  function isLive(channel: string): boolean {
    for (const sub of subscribers.values()) if (sub.live.has(channel)) return true;
    return false;
  }

  function placed(channel: string): boolean {
    for (const sub of subscribers.values()) if (sub.live.has(channel) || sub.asking.has(channel)) return true;
    return false;
  }

  function settleStatus(): void {
    for (const [channel, resolvers] of waiting) {
      if (!isLive(channel)) continue;
      waiting.delete(channel);
      for (const resolve of resolvers) resolve('subscribed');
    }
    const want = wanted();
    if (want.size === 0) return;
    for (const channel of want) if (!isLive(channel)) return;
    attempt = 0;
    if (up) return;
    up = true;
    everUp = true;
    logger.info({ channels: want.size, nodes: subscribers.size }, 'bus subscribed to its shards');
    fanout.emitStatus('up');
  }

  function lose(sub: NodeSubscriber, why: string): void {
    if (subscribers.get(sub.key) !== sub) return;
    subscribers.delete(sub.key);
    const hadLive = sub.live.size > 0;
    sub.live.clear();
    sub.asking.clear();
    sub.connection.disconnect();
    if (closed) return;
    if (hadLive && up) {
      up = false;
      logger.warn({ node: sub.key, why }, 'bus lost a cluster node; resubscribing its shards');
      fanout.emitStatus('down');
    }
    // The slot map may be stale (a failover): refresh it before placing the channels again.
    publisher.refreshSlotsCache();
    schedule(true);
  }

  function openSubscriber(key: string): NodeSubscriber {
    const connection = openNodeConnection(key, commandTimeout);
    const sub: NodeSubscriber = { key, connection, live: new Set(), asking: new Set() };
    connection.on('error', (err: Error) => logger.debug({ err: err.message, node: key }, 'subscriber error'));
    connection.on('close', () => lose(sub, 'connection closed'));
    connection.on('smessage', (channel: string, raw: string) => {
      if (sub.live.has(channel)) fanout.deliver(raw);
    });
    subscribers.set(key, sub);
    return sub;
  }

  function schedule(backoff: boolean): void {
    if (closed) return;
    if (reconciling) {
      again = true;
      return;
    }
    if (reconcileTimer) return;
    const delay = backoff ? reconnectDelay(++attempt, maxDelay) : 0;
    reconcileTimer = setTimeout(() => {
      reconcileTimer = undefined;
      void reconcile();
    }, delay);
    reconcileTimer.unref();
  }

  /** Makes the subscriptions match `wanted()`: SSUBSCRIBE what is missing, SUNSUBSCRIBE what is no longer needed. */
  async function reconcile(): Promise<void> {
    if (closed) return;
    reconciling = true;
    let failed = false;
    try {
      const want = wanted();
      for (const sub of [...subscribers.values()]) {
        const extra = [...sub.live, ...sub.asking].filter((c) => !want.has(c));
        if (extra.length === 0) continue;
        for (const channel of extra) {
          sub.live.delete(channel);
          sub.asking.delete(channel);
        }
        if (sub.live.size === 0 && sub.asking.size === 0) {
          subscribers.delete(sub.key);
          void closeConnection(sub.connection);
        } else {
          for (const channel of extra)
            sub.connection.sunsubscribe(channel).catch(() => sub.connection.disconnect());
        }
      }
      const missing = [...want].filter((c) => !placed(c));
      if (missing.length === 0) return;
      if (!(await publisherReady(publisher, commandTimeout))) {
        failed = true;
        return;
      }
      const byNode = new Map<string, string[]>();
      for (const channel of missing) {
        const key = publisher.slots[hashSlot(channel)]?.[0];
        if (!key) {
          failed = true;
          continue;
        }
        byNode.set(key, [...(byNode.get(key) ?? []), channel]);
      }
      await Promise.all(
        [...byNode].map(async ([key, channels]) => {
          const sub = subscribers.get(key) ?? openSubscriber(key);
          for (const channel of channels) sub.asking.add(channel);
          // One SSUBSCRIBE per channel: a command's channels must share a slot.
          await Promise.all(
            channels.map(async (channel) => {
              try {
                await sub.connection.ssubscribe(channel);
                if (subscribers.get(key) === sub && sub.asking.delete(channel)) sub.live.add(channel);
              } catch (err) {
                // MOVED (the slot map is stale) or the node is gone: placed again after a refresh.
                logger.debug({ err, node: key, channel }, 'SSUBSCRIBE failed');
                failed = true;
                sub.asking.delete(channel);
              }
            }),
          );
          if (failed && sub.live.size === 0) lose(sub, 'SSUBSCRIBE failed');
          else if (failed) publisher.refreshSlotsCache();
        }),
      );
    } finally {
      reconciling = false;
      settleStatus();
      if (again || failed) {
        again = false;
        schedule(failed);
      }
    }
  }

  function follow(ticketId: number | 'all'): BusFollow {
    if (closed) throw new Error('bus is closed');
    let released = false;
    const channels = ticketId === 'all' ? ALL_SHARD_CHANNELS : [shardChannel(shardOf(ticketId))];
    if (ticketId === 'all') wantAll++;
    else for (const c of channels) followed.set(c, (followed.get(c) ?? 0) + 1);
    const pending = channels.filter((c) => !isLive(c));
    const ready: Promise<'already' | 'subscribed'> =
      pending.length === 0
        ? Promise.resolve('already')
        : Promise.all(
            pending.map(
              (c) =>
                new Promise<'subscribed'>((resolve) => {
                  waiting.set(c, [...(waiting.get(c) ?? []), resolve]);
                }),
            ),
          ).then(() => 'subscribed' as const);
    schedule(false);
    return {
      ready,
      release() {
        if (released || closed) return;
        released = true;
        if (ticketId === 'all') wantAll--;
        else {
          for (const c of channels) {
            const left = (followed.get(c) ?? 1) - 1;
            if (left > 0) followed.set(c, left);
            else followed.delete(c);
          }
        }
        schedule(false);
      },
    };
  }

  const probing = new WeakSet<Redis>();
  const healthTimer = setInterval(() => {
    for (const sub of subscribers.values()) {
      const connection = sub.connection;
      if (connection.status !== 'ready' || probing.has(connection)) continue;
      probing.add(connection);
      connection
        .ping()
        .catch(() => lose(sub, 'PING failed'))
        .finally(() => probing.delete(connection));
    }
    // A shard that could not be placed (no master for its slot yet) is retried here too.
    if (!reconciling && !reconcileTimer && [...wanted()].some((c) => !placed(c))) schedule(true);
  }, options.healthCheckIntervalMs ?? 5000);
  healthTimer.unref();

  return {
    async publish(message) {
      if (closed) throw new Error('bus is closed');
      await publisher.spublish(channelOf(message), JSON.stringify(message));
    },
    publishMany: (messages) => {
      if (closed) throw new Error('bus is closed');
      return publishMany(publisher, messages);
    },
    subscribe(handler, subscribeOptions) {
      if (closed) throw new Error('bus is closed');
      const all = subscribeOptions?.tickets !== 'followed';
      const off = fanout.addHandler(handler);
      handlers++;
      if (all) wantAll++;
      schedule(false);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        off();
        handlers--;
        if (all) wantAll--;
        schedule(false);
      };
    },
    follow,
    onStatus(listener) {
      return fanout.addStatusListener(listener);
    },
    get healthy() {
      if (closed || publisher.status !== 'ready') return false;
      return handlers === 0 || (everUp && up);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(healthTimer);
      if (reconcileTimer) clearTimeout(reconcileTimer);
      fanout.clear();
      const subs = [...subscribers.values()];
      subscribers.clear();
      await Promise.all([
        ...subs.map((s) => closeConnection(s.connection)),
        publisher.quit().catch(() => publisher.disconnect()),
      ]);
    },
  };
}
