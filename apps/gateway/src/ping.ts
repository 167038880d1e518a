/** What the pinger needs of a connection. */
export interface Pingable {
  /** Which tick of the interval pings this connection (0 ≤ slot < slices). */
  readonly pingSlot: number;
  /** Set by any pong or frame; cleared when a ping is sent. */
  alive: boolean;
  ping(): void;
  terminate(reason: string): void;
}

/** Connections are pinged in this many groups, one group per tick, so each is still pinged once per interval. */
export const PING_SLICES = 10;

/**
 * Server pings (ARCHITECTURE §12): every connection is pinged once per interval and terminated at its next turn if
 * nothing came back. The connections are spread over `slices` ticks of the interval, so ten thousand sockets
 * are not pinged (and their pongs read) in one burst.
 */
export function startPinger(
  connections: Iterable<Pingable>,
  intervalMs: number,
  slices = PING_SLICES,
): () => void {
  let tick = 0;
  const timer = setInterval(
    () => {
      const slot = tick;
      tick = (tick + 1) % slices;
      for (const conn of connections) {
        if (conn.pingSlot !== slot) continue;
        if (!conn.alive) {
          conn.terminate('ping_timeout');
          continue;
        }
        conn.alive = false;
        try {
          conn.ping();
        } catch {
          conn.terminate('ping_failed');
        }
      }
    },
    Math.max(1, Math.round(intervalMs / slices)),
  );
  timer.unref();
  return () => clearInterval(timer);
}
