import http from 'node:http';
import { createBus } from '@tikethet/bus';
import { createLogger, orExitOnEnvError } from '@tikethet/config';
import { createDb } from '@tikethet/db';
import { createGateway } from './create-gateway';
import { gatewayPort, loadGatewayEnv } from './env';

export { createGateway, type Gateway, type GatewayDeps } from './create-gateway';
export { type GatewayEnv, gatewayEnvShape, loadGatewayEnv } from './env';

async function main(): Promise<void> {
  const env = orExitOnEnvError(() => loadGatewayEnv());
  const logger = createLogger('gateway');
  const db = createDb(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE, applicationName: 'tikethet-gateway' });
  const bus = createBus({ redisUrl: env.REDIS_URL, logger: createLogger('gateway:bus') });
  const gateway = createGateway({ env, db, bus, logger });
  const server = http.createServer(gateway.httpHandler);
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  const port = gatewayPort(env);
  server.listen(port, () => logger.info({ port }, 'gateway listening on /ws'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    gateway.startDraining();
    const hardExit = setTimeout(() => process.exit(0), 2500);
    hardExit.unref();
    server.close();
    gateway
      .close(1012)
      .then(() => Promise.allSettled([bus.close(), db.close()]))
      .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  void main();
}
