import { createLogger } from '@tikethet/config';
import { createDb, type DbClient, monitorReplica } from '@tikethet/db';
import type { ApiDeps } from './create-api';
import type { ApiEnv } from './env';

type ReplicaEnv = Pick<
  ApiEnv,
  | 'DATABASE_REPLICA_URL'
  | 'DATABASE_REPLICA_MAX_LAG_MS'
  | 'DATABASE_POOL_SIZE'
  | 'DATABASE_STATEMENT_TIMEOUT_MS'
>;

/**
 * The optional streaming replica behind DATABASE_REPLICA_URL: its pool and the monitor that applies the lag
 * rule (DATABASE_REPLICA_MAX_LAG_MS), ready for `createApi`'s `replica`. Without the variable, none.
 * `close` stops the monitor and ends the pool.
 */
export function openReplica(
  env: ReplicaEnv,
  primary: DbClient,
): { replica: ApiDeps['replica']; close(): Promise<void> } {
  if (!env.DATABASE_REPLICA_URL) return { replica: undefined, close: async () => undefined };
  const db = createDb(env.DATABASE_REPLICA_URL, {
    max: env.DATABASE_POOL_SIZE,
    applicationName: 'tikethet-api-replica',
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  const monitor = monitorReplica({
    primary,
    replica: db,
    maxLagMs: env.DATABASE_REPLICA_MAX_LAG_MS,
    logger: createLogger('api:replica'),
  });
  return {
    replica: { db, monitor },
    async close() {
      await monitor.close();
      await db.close();
    },
  };
}
