import type { Identity } from '@tikethet/auth';
import type { Bus, BusFollow } from '@tikethet/bus';
import type { Logger } from '@tikethet/config';
import type { UseCases } from '@tikethet/db';
import type { Connection } from './connection';
import type { GatewayEnv } from './env';
import type { EventReader } from './event-reader';
import type { GatewayMetrics } from './metrics';
import type { Presence } from './presence';
import type { UserDirectory } from './user-directory';

/** What the gateway's parts share: dependencies and the in-memory routing tables. */
export interface GatewayContext {
  env: GatewayEnv;
  uc: UseCases;
  bus: Bus;
  logger: Logger;
  metrics: GatewayMetrics;
  presence: Presence;
  read: EventReader;
  /** The users behind hellos (shared by a user's sockets; a role change evicts). */
  /** initData -> user with role (packages/auth), as the API has it. */
  identity: Identity;
  userDirectory: UserDirectory;
  /** Topic name (`ticket:<id>`, `queue`) -> sockets following it. */
  topics: Map<string, Set<Connection>>;
  /** Topic -> this gateway's follow of its shard (sharded buses only; see bus-follows.ts). */
  follows: Map<string, BusFollow>;
  /** Telegram user id -> that user's authenticated sockets. */
  users: Map<number, Set<Connection>>;
  connections: Set<Connection>;
}

export function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

export function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
