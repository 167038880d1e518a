import http from 'node:http';
import { createBus, createRelay } from '@tikethet/bus';
import { createLogger, orExitOnEnvError } from '@tikethet/config';
import { createDb, createPendingEventSource } from '@tikethet/db';
import Redis from 'ioredis';
import { createApi } from './create-api';
import { apiPort, loadApiEnv } from './env';

export { type Api, type ApiDeps, createApi } from './create-api';
export { type ApiEnv, apiEnvShape, loadApiEnv } from './env';

/** The API process: HTTP on PORT/API_PORT and the relay that re-publishes unpublished events. */
async function main(): Promise<void> {
  const env = orExitOnEnvError(() => loadApiEnv());
  const logger = createLogger('api');
  const db = createDb(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE, applicationName: 'tikethet-api' });
  const bus = createBus({ redisUrl: env.REDIS_URL, logger: createLogger('api:bus') });
  const redis = env.REDIS_URL
    ? new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false })
    : undefined;
  redis?.on('error', (err) => logger.debug({ err }, 'rate-limit Redis error'));
  const relay = createRelay({
    source: createPendingEventSource(db.db),
    bus,
    logger: createLogger('api:relay'),
  });
  relay.start();
  const api = createApi({ env, db, bus, redis, logger });
  const server = http.createServer(api.app);
  const port = apiPort(env);
  server.listen(port, () => logger.info({ port }, 'api listening'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    api.startDraining();
    const hardExit = setTimeout(() => process.exit(0), 2800);
    hardExit.unref();
    // In-flight requests finish; keep-alive sockets are closed as soon as they are idle (a connection whose
    // request completes after SIGTERM becomes idle later, hence the sweep) so close() can complete.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 50).unref();
    closed
      .then(() => relay.stop())
      .then(() => api.close())
      .then(() => Promise.allSettled([bus.close(), redis?.quit(), db.close()]))
      .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  void main();
}
