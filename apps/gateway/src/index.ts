import http from 'node:http';
import { createBus, redisTarget } from '@tikethet/bus';
import { createLogger, exitOnSignals, orExitOnEnvError } from '@tikethet/config';
import { createDb } from '@tikethet/db';
import { CloseCode } from '@tikethet/protocol';
import { createGateway } from './create-gateway';
import { type GatewayEnv, gatewayPort, loadGatewayEnv } from './env';

export { createGateway, type Gateway, type GatewayDeps } from './create-gateway';
export { type GatewayEnv, gatewayEnvShape, loadGatewayEnv } from './env';

/** Starts the gateway as a process does (WebSocket on /ws, a clean stop on SIGTERM); resolves listening. */
export async function startGateway(env: GatewayEnv): Promise<http.Server> {
  const logger = createLogger('gateway');
  const db = createDb(env.DATABASE_URL, { max: env.DATABASE_POOL_SIZE, applicationName: 'tikethet-gateway' });
  const bus = createBus({ redis: redisTarget(env), logger: createLogger('gateway:bus') });
  const gateway = createGateway({ env, db, bus, logger });
  const server = http.createServer(gateway.httpHandler);
  server.on('upgrade', (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  const port = gatewayPort(env);
  await new Promise<void>((resolve) => server.listen(port, resolve));
  logger.info({ port }, 'gateway listening on /ws');

  // WebSockets are closed with 1012 alongside the HTTP server (upgraded sockets never become idle).
  exitOnSignals({
    logger,
    server,
    startDraining: () => gateway.startDraining(),
    hardExitMs: 2500,
    release: () => gateway.close(CloseCode.restart).then(() => Promise.allSettled([bus.close(), db.close()])),
  });
  return server;
}

if (require.main === module) {
  void startGateway(orExitOnEnvError(() => loadGatewayEnv()));
}
