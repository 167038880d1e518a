import http from 'node:http';
import { createBus, createRelay, openRedisClient, redisTarget } from '@tikethet/bus';
import { allowSlowUploads, createLogger, exitOnSignals, orExitOnEnvError } from '@tikethet/config';
import {
  createBlobStore,
  createDb,
  createPendingEventSource,
  createUseCases,
  s3ConfigOf,
  startSlaTimerWorker,
} from '@tikethet/db';
import { createApi } from './create-api';
import { type ApiEnv, apiPort, loadApiEnv } from './env';
import { openReplica } from './open-replica';

export { type Api, type ApiDeps, createApi } from './create-api';
export { type ApiEnv, apiEnvShape, loadApiEnv } from './env';
export { openReplica } from './open-replica';

/**
 * Starts the API as a process does: HTTP on PORT/API_PORT, the relay that re-publishes unpublished events, the
 * SLA timers, and a clean stop on SIGTERM/SIGINT. Resolves with the listening server.
 */
export async function startApi(env: ApiEnv): Promise<http.Server> {
  const logger = createLogger('api');
  const db = createDb(env.DATABASE_URL, {
    max: env.DATABASE_POOL_SIZE,
    applicationName: 'tikethet-api',
    statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  // The optional replica serves list, search and stats reads while within DATABASE_REPLICA_MAX_LAG_MS.
  const { replica, close: closeReplica } = openReplica(env, db);
  // REDIS_CLUSTER_NODES wins over REDIS_URL: the sharded bus and a cluster client for the rate limits.
  const target = redisTarget(env);
  const bus = createBus({ redis: target, logger: createLogger('api:bus') });
  const redis = target ? openRedisClient(target, 'tikethet-api-limits') : undefined;
  redis?.on('error', (err) => logger.debug({ err }, 'rate-limit Redis error'));
  const relay = createRelay({
    source: createPendingEventSource(db.db),
    bus,
    logger: createLogger('api:relay'),
  });
  relay.start();
  // SLA timers (graphile-worker): every API instance runs jobs; each job runs once across them.
  const timerUseCases = createUseCases({ db: db.db, bus, logger: createLogger('api:sla-timers') });
  const timers = await startSlaTimerWorker({
    db: db.db,
    fire: (ticketId) => timerUseCases.fireSlaTimer(ticketId),
    autoReply: (ticketId) => timerUseCases.sendAutoReply(ticketId),
    recomputeSla: (run) => timerUseCases.recomputeSla(run),
    logger: createLogger('api:sla-timers'),
    // A pool of one connection (the embedded PGlite) cannot give one up to LISTEN: poll instead.
    mode: env.DATABASE_POOL_SIZE > 1 ? 'listen' : 'poll',
    // Uploads whose message was never written (the process died between the two): gone after an hour.
    sweepBlobs: (after) =>
      createBlobStore({ db: db.db, s3: s3ConfigOf(env) }).sweepOrphans({
        after,
        graceMs: 60 * 60_000,
        limit: 500,
      }),
  });
  const api = createApi({ env, db, replica, bus, redis, logger });
  const server = allowSlowUploads(http.createServer(api.app));
  const port = apiPort(env);
  await new Promise<void>((resolve) => server.listen(port, resolve));
  logger.info({ port }, 'api listening');

  exitOnSignals({
    logger,
    server,
    startDraining: () => api.startDraining(),
    release: (serverClosed) =>
      serverClosed
        .then(() => relay.stop())
        .then(() => timers.stop())
        .then(() => timerUseCases.flush())
        .then(() => api.close())
        .then(() => closeReplica())
        .then(() => Promise.allSettled([bus.close(), redis?.quit(), db.close()])),
  });
  return server;
}

if (require.main === module) {
  void startApi(orExitOnEnvError(() => loadApiEnv()));
}
