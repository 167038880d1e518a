import path from 'node:path';
import { createLogger } from '@tikethet/config';
import { loadMiniappEnv } from './server/env';
import { createMiniappServer } from './server/index';

const env = loadMiniappEnv();
const log = createLogger('miniapp:serve');
const server = createMiniappServer({
  distDir: path.resolve(__dirname, '../dist'),
  apiUrl: env.API_URL,
  gatewayUrl: env.GATEWAY_URL,
});

server.listen(env.port, () => {
  log.info({ port: env.port, api: env.API_URL, gateway: env.GATEWAY_URL }, 'Mini App listening');
});

function shutdown(signal: string) {
  log.info({ signal }, 'shutting down');
  // Requests in flight finish; keep-alive sockets close as soon as they are idle; exit within 3 s regardless.
  server.startDraining();
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setInterval(() => server.closeIdleConnections(), 50).unref();
  setTimeout(() => process.exit(0), 2800).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
