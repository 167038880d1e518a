import type { Logger } from '@tikethet/config';
import type { Bus } from './contract';
import { createMemoryBus } from './memory-bus';
import { createRedisBus } from './redis-bus';
import type { RedisTarget } from './redis-connection';
import { createShardedBus } from './sharded-bus';

export interface CreateBusOptions {
  /** Redis when set; the in-process bus when unset or empty. */
  redisUrl?: string;
  /** Wins over `redisUrl`: a cluster target gives the sharded bus, a URL the one-channel Redis bus. */
  redis?: RedisTarget;
  channel?: string;
  logger?: Logger;
}

export function createBus(options: CreateBusOptions = {}): Bus {
  const target = options.redis ?? (options.redisUrl ? { url: options.redisUrl } : undefined);
  if (target && 'clusterNodes' in target) {
    return createShardedBus({ nodes: target.clusterNodes, logger: options.logger });
  }
  if (target) return createRedisBus({ url: target.url, channel: options.channel, logger: options.logger });
  return createMemoryBus({ logger: options.logger });
}
