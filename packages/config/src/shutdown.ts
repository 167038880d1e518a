import type { Server } from 'node:http';
import type { Logger } from './logger';

export interface ShutdownPlan {
  logger: Logger;
  /** The process's HTTP server: it stops accepting, in-flight requests finish, idle keep-alive sockets close. */
  server: Server;
  /** Runs first, so readiness answers 503 and new work is refused while the rest drains. */
  startDraining?: () => void;
  /** Releases the app's resources; `serverClosed` settles once the last in-flight request has been answered. */
  release: (serverClosed: Promise<void>) => Promise<unknown>;
  /** The process exits 0 by then whatever is still pending (the platform's grace period is 3 s). */
  hardExitMs?: number;
}

/**
 * On SIGTERM or SIGINT (once): start draining, close the HTTP server, release the app's resources and exit 0,
 * at the latest after `hardExitMs`.
 */
export function exitOnSignals({
  logger,
  server,
  startDraining,
  release,
  hardExitMs = 2800,
}: ShutdownPlan): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    startDraining?.();
    setTimeout(() => process.exit(0), hardExitMs).unref();
    // A keep-alive connection whose request completes after the signal only becomes idle later, hence the sweep.
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    setInterval(() => server.closeIdleConnections(), 50).unref();
    Promise.resolve()
      .then(() => release(serverClosed))
      .catch((err: unknown) => logger.error({ err }, 'shutdown failed'))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
