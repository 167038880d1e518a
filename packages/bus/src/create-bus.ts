import type { Logger } from '@tikethet/config';
import type { Bus } from '@tikethet/domain';
import { createMemoryBus } from './memory-bus';
import { createRedisBus } from './redis-bus';

export interface CreateBusOptions {
  /** Redis when set; the in-process bus when unset or empty. */
  redisUrl?: string;
  channel?: string;
  logger?: Logger;
}

export function createBus(options: CreateBusOptions = {}): Bus {
  if (options.redisUrl) {
    return createRedisBus({ url: options.redisUrl, channel: options.channel, logger: options.logger });
  }
  return createMemoryBus({ logger: options.logger });
}
