import { createLogger } from '@tikethet/config';
import { loadMiniappEnv, type MiniappEnv } from './env';
import { BUILT_FILES_DIR, createMiniappServer, type MiniappServer } from './index';

/**
 * Starts the Mini App server as a process does: the build in ../dist, `/api` and `/ws` proxied to API_URL and
 * GATEWAY_URL, and a stop on SIGTERM that lets requests in flight finish. Resolves listening.
 */
export async function startMiniapp(env: MiniappEnv): Promise<MiniappServer> {
  const log = createLogger('miniapp:serve');
  const server = createMiniappServer({
    distDir: BUILT_FILES_DIR,
    apiUrl: env.API_URL,
    gatewayUrl: env.GATEWAY_URL,
  });
  await new Promise<void>((resolve) => server.listen(env.port, resolve));
  log.info({ port: env.port, api: env.API_URL, gateway: env.GATEWAY_URL }, 'Mini App listening');

  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    // Requests in flight finish; keep-alive sockets close as soon as they are idle; exit within 3 s regardless.
    server.startDraining();
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 50).unref();
    setTimeout(() => process.exit(0), 2800).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  return server;
}

if (require.main === module) {
  void startMiniapp(loadMiniappEnv());
}
