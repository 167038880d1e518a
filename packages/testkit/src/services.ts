import net from 'node:net';

/**
 * Where the tests find PostgreSQL and Redis. `TEST_DATABASE_URL` / `TEST_REDIS_URL` win, then
 * `DATABASE_URL` / `REDIS_URL`, then the loopback defaults of the project's machines.
 * The admin database URL is used only to CREATE and DROP per-file databases.
 */
export function testDatabaseAdminUrl(): string {
  return (
    process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** Resolves true when something accepts TCP connections at host:port within the timeout. */
export function isReachable(urlString: string, timeoutMs = 1000): Promise<boolean> {
  const url = new URL(urlString);
  const port = Number(url.port || (url.protocol.startsWith('redis') ? 6379 : 5432));
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname || '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
