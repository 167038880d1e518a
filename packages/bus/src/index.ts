export {
  type Bus,
  type BusFollow,
  type BusSubscribeOptions,
  type PendingEventSource,
  publishAll,
} from './contract';
export { type CreateBusOptions, createBus } from './create-bus';
export { type BusHandler, type BusStatus, parseBusMessage, type StatusListener } from './fanout';
export { createMemoryBus, type MemoryBusOptions } from './memory-bus';
export { createRedisBus, DEFAULT_BUS_CHANNEL, type RedisBusOptions } from './redis-bus';
export {
  type ClusterNode,
  openRedisClient,
  type RedisClient,
  type RedisTarget,
  redisTarget,
} from './redis-connection';
export { createRelay, type Relay, type RelayOptions } from './relay';
export { createShardedBus, type ShardedBusOptions } from './sharded-bus';
export { BUS_SHARDS, CONTROL_CHANNEL, channelOf, hashSlot, shardChannel, shardOf } from './shards';
