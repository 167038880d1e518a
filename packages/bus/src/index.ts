export { type CreateBusOptions, createBus } from './create-bus';
export { type BusHandler, type BusStatus, parseBusMessage, type StatusListener } from './fanout';
export { createMemoryBus, type MemoryBusOptions } from './memory-bus';
export { createRedisBus, DEFAULT_BUS_CHANNEL, type RedisBusOptions } from './redis-bus';
export { createRelay, type Relay, type RelayOptions } from './relay';
